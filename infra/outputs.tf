# What the app and its operators need. The instances don't read these: they read the same values
# from SSM (app_config.tf). None of them is a secret.

output "site_url" {
  description = "The shop."
  value       = "https://${var.domain_name}"
}

output "app_environment" {
  description = "The non-secret environment every instance gets (SSM parameters under ssm_parameter_path). SECRET_KEY is the one you add yourself."
  value       = local.app_environment
}

output "ssm_parameter_path" {
  description = "Path of the app's SSM parameters; put SECRET_KEY here as a SecureString."
  value       = local.ssm_path
}

# --- Database ----------------------------------------------------------------------------------

output "database_host" {
  description = "RDS endpoint address (DATABASE_URL host)."
  value       = aws_db_instance.this.address
}

output "database_port" {
  description = "RDS port (DATABASE_URL port)."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name (DATABASE_URL path)."
  value       = var.db_name
}

output "database_username" {
  description = "Database user (DATABASE_URL user)."
  value       = var.db_username
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret (JSON with username and password) that RDS manages and rotates."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "database_url" {
  description = "DATABASE_URL as the instances use it: without a password, which libpq reads from the passfile."
  value       = local.app_environment["DATABASE_URL"]
}

# --- Cache and broker --------------------------------------------------------------------------

output "redis_url" {
  description = "REDIS_URL: Django's cache and cached sessions (TLS)."
  value       = local.app_environment["REDIS_URL"]
}

output "celery_broker_url" {
  description = "CELERY_BROKER_URL: Celery's queues (TLS, certificate checked)."
  value       = local.app_environment["CELERY_BROKER_URL"]
}

# --- Files and CDN -----------------------------------------------------------------------------

output "aws_storage_bucket_name" {
  description = "AWS_STORAGE_BUCKET_NAME: the media and static files bucket."
  value       = aws_s3_bucket.assets.bucket
}

output "aws_s3_region_name" {
  description = "AWS_S3_REGION_NAME."
  value       = var.aws_region
}

output "aws_s3_custom_domain" {
  description = "AWS_S3_CUSTOM_DOMAIN: the shop's domain, where CloudFront serves /static/* and /media/* from the bucket."
  value       = var.domain_name
}

output "cloudfront_domain_name" {
  description = "The distribution's own *.cloudfront.net name (the shop's domain is an alias of it)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "cloudfront_distribution_id" {
  description = "For invalidations: aws cloudfront create-invalidation --distribution-id <id> --paths '/...'."
  value       = aws_cloudfront_distribution.this.id
}

output "alb_dns_name" {
  description = "The load balancer's name (CloudFront's origin is origin.<domain_name>, an alias of it)."
  value       = aws_lb.this.dns_name
}

# --- Search, e-mail, scaling -------------------------------------------------------------------

output "opensearch_endpoint" {
  description = "OpenSearch domain endpoint (HTTPS, IAM-signed requests; planned: not read by the app yet)."
  value       = "https://${aws_opensearch_domain.this.endpoint}"
}

output "ses_configuration_set" {
  description = "SES configuration set for the app's mail (planned: not read by the app yet)."
  value       = aws_sesv2_configuration_set.this.configuration_set_name
}

output "ses_events_topic_arn" {
  description = "SNS topic receiving SES bounces and complaints."
  value       = aws_sns_topic.ses_events.arn
}

output "web_asg_name" {
  description = "Web Auto Scaling group (raise its minimum before a flash sale)."
  value       = aws_autoscaling_group.app["web"].name
}

output "worker_asg_name" {
  description = "Celery worker Auto Scaling group."
  value       = aws_autoscaling_group.app["worker"].name
}
