# The app's environment, as SSM parameters under /<project>/<environment>/. At boot (and at every
# service start) each instance reads every parameter under that path into its environment, so
# this is the one place to see or change what the app runs with. Terraform writes the values it
# knows; secrets are added by hand as SecureString (SECRET_KEY: see README.md), so they never
# enter Terraform's state.

locals {
  app_environment = merge(
    {
      DJANGO_ENV           = "production"
      ALLOWED_HOSTS        = var.domain_name
      CSRF_TRUSTED_ORIGINS = "https://${var.domain_name}"

      # No password here: libpq reads it from the passfile, which each instance refreshes from
      # the RDS-managed secret every minute, so a rotated password is picked up by new
      # connections without a restart.
      DATABASE_URL = "postgres://${var.db_username}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${var.db_name}?sslmode=require&passfile=/etc/pasar/pgpass"

      # TLS to Redis (in-transit encryption). Celery's Redis transport needs ssl_cert_reqs in a
      # rediss:// URL, or it connects without checking the certificate.
      REDIS_URL         = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379/0"
      CELERY_BROKER_URL = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379/1?ssl_cert_reqs=required"

      # Files go to S3 (django-storages, with the instance role's credentials); their URLs use the
      # shop's own domain, where CloudFront routes /static/* and /media/* to the bucket.
      AWS_STORAGE_BUCKET_NAME = aws_s3_bucket.assets.bucket
      AWS_S3_CUSTOM_DOMAIN    = var.domain_name
      AWS_S3_REGION_NAME      = var.aws_region

      # settings.py creates STATIC_ROOT when it loads, and the release directory belongs to root;
      # this directory belongs to the app's user. (Static files themselves go to S3.)
      STATIC_ROOT = "/var/lib/pasar/static"

      DEFAULT_FROM_EMAIL = "${title(var.project)} <shop@${var.domain_name}>"
    },
    var.extra_app_environment,
  )
}

resource "aws_ssm_parameter" "app" {
  for_each = local.app_environment

  name  = "${local.ssm_path}/${each.key}"
  type  = "String"
  value = each.value
  tier  = "Standard"
}
