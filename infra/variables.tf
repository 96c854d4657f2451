# Only domain_name and app_repo_url have no default. Put your values in terraform.tfvars.

# --- Where and what --------------------------------------------------------------------------

variable "aws_region" {
  description = "Region for everything except CloudFront's certificate (always us-east-1). Pick one that offers Amazon Personalize, SES and End User Messaging if you plan to use them; Singapore suits shoppers in South-East Asia."
  type        = string
  default     = "ap-southeast-1"
}

variable "project" {
  description = "Short lower-case name used in resource names and the SSM path (/<project>/<environment>)."
  type        = string
  default     = "pasar"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.project))
    error_message = "project must be 2-12 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, e.g. production or staging. Kept short because ALB, target group and OpenSearch names have length limits."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.environment))
    error_message = "environment must be 2-12 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "domain_name" {
  description = "The shop's host name, e.g. shop.example.com. It points at CloudFront; origin.<domain_name> points at the ALB. It is also the SES sending domain."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lower-case host name without a trailing dot, e.g. shop.example.com."
  }
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone that holds domain_name, e.g. example.com. Defaults to domain_name itself."
  type        = string
  default     = null
}

# --- The application ---------------------------------------------------------------------------

variable "app_repo_url" {
  description = "Git URL the instances clone Pasar from at boot (HTTPS; must be readable without credentials from the private subnets)."
  type        = string
}

variable "app_git_ref" {
  description = "Branch, tag or commit to run. Changing it makes new launch template versions, and the ASGs replace their instances (instance refresh). Run `pasar-release <ref>` first (docs/deploy.md)."
  type        = string
  default     = "main"
}

variable "python_package" {
  description = "Amazon Linux 2023 package of the Python that runs Pasar (the project needs 3.11 or newer)."
  type        = string
  default     = "python3.12"
}

variable "extra_app_environment" {
  description = "More non-secret environment variables for the app (e.g. SHOP_CURRENCY, TIME_ZONE, EMAIL_BACKEND), stored as SSM String parameters beside the ones Terraform derives. Put secrets in SSM yourself as SecureString (README.md)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for value in values(var.extra_app_environment) : length(value) > 0])
    error_message = "extra_app_environment values must not be empty (SSM parameters can't be)."
  }
}

# --- Network -----------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into /20 public and private subnets in two AZs."
  type        = string
  default     = "10.20.0.0/16"
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (true: an AZ outage doesn't cut the other AZ off from the internet) or a single shared one (false: about US$33 a month cheaper, fine for staging)."
  type        = bool
  default     = true
}

variable "restrict_alb_to_cloudfront" {
  description = "Accept HTTPS on the ALB only from CloudFront's origin-facing addresses (AWS managed prefix list), so shoppers can't bypass the CDN."
  type        = bool
  default     = true
}

# --- Compute -----------------------------------------------------------------------------------

variable "architecture" {
  description = "CPU architecture of the instances: arm64 (Graviton, cheaper per request) or x86_64. Instance types below must match."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "web_instance_type" {
  description = "Instance type of the web (gunicorn) servers. gunicorn runs 2 x vCPUs + 1 workers on each."
  type        = string
  default     = "c7g.large"
}

variable "web_min_size" {
  description = "Fewest web instances. Two or more keeps one in each AZ. Raise it ahead of a flash sale (docs/deploy.md)."
  type        = number
  default     = 2
}

variable "web_max_size" {
  description = "Most web instances the ASG may scale out to. Keep max_size x workers per instance within the database's max_connections."
  type        = number
  default     = 12
}

variable "web_cpu_target" {
  description = "Average CPU percentage the web ASG's target tracking policy aims for."
  type        = number
  default     = 60
}

variable "web_requests_per_target" {
  description = "ALB requests per web instance per minute the second target tracking policy aims for. Tune it from a load test: roughly 60 x the requests per second one instance serves comfortably."
  type        = number
  default     = 3000
}

variable "worker_instance_type" {
  description = "Instance type of the Celery workers."
  type        = string
  default     = "t4g.medium"
}

variable "worker_min_size" {
  description = "Fewest Celery worker instances."
  type        = number
  default     = 1
}

variable "worker_max_size" {
  description = "Most Celery worker instances."
  type        = number
  default     = 4
}

variable "worker_cpu_target" {
  description = "Average CPU percentage the worker ASG's target tracking policy aims for."
  type        = number
  default     = 60
}

variable "root_volume_size" {
  description = "Root EBS volume of each instance, in GiB (OS, app, virtualenv, logs)."
  type        = number
  default     = 20
}

# --- Data stores -------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL database."
  type        = string
  default     = "db.m7g.large"
}

variable "db_engine_version" {
  description = "PostgreSQL major version (RDS picks the newest minor and upgrades minors in the maintenance window)."
  type        = string
  default     = "16"
}

variable "db_multi_az" {
  description = "Run a synchronous standby in the second AZ with automatic failover. Keep true in production."
  type        = bool
  default     = true
}

variable "db_allocated_storage" {
  description = "Initial gp3 storage of the database, in GiB."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling of the database, in GiB."
  type        = number
  default     = 500
}

variable "db_backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery."
  type        = number
  default     = 14
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "pasar"
}

variable "db_username" {
  description = "Master user of the database. Its password is generated and kept (and rotated) by RDS in Secrets Manager; it never appears in Terraform."
  type        = string
  default     = "pasar"
}

variable "redis_node_type" {
  description = "ElastiCache node type; the replication group has a primary and one replica in the other AZ."
  type        = string
  default     = "cache.t4g.medium"
}

variable "redis_engine_version" {
  description = "Redis OSS engine version (major.minor)."
  type        = string
  default     = "7.1"
}

variable "opensearch_instance_type" {
  description = "OpenSearch data node type. t3.medium.search is enough for staging (t2 and t3.small don't support encryption at rest)."
  type        = string
  default     = "m6g.large.search"
}

variable "opensearch_instance_count" {
  description = "OpenSearch data nodes; an even number, spread over the two AZs."
  type        = number
  default     = 2

  validation {
    condition     = var.opensearch_instance_count >= 2 && var.opensearch_instance_count % 2 == 0
    error_message = "opensearch_instance_count must be an even number of at least 2 (zone awareness over two AZs)."
  }
}

variable "opensearch_volume_size" {
  description = "gp3 EBS volume per OpenSearch node, in GiB."
  type        = number
  default     = 20
}

variable "opensearch_engine_version" {
  description = "OpenSearch engine version."
  type        = string
  default     = "OpenSearch_2.19"
}

variable "create_opensearch_service_linked_role" {
  description = "Create the AWSServiceRoleForAmazonOpenSearchService role that VPC domains need. Set true only in an account that has never had an OpenSearch VPC domain (creating it twice fails)."
  type        = bool
  default     = false
}

# --- Edge, TLS, e-mail -------------------------------------------------------------------------

variable "cloudfront_price_class" {
  description = "CloudFront price class: PriceClass_All (every edge location), PriceClass_200 or PriceClass_100 (cheaper, fewer locations)."
  type        = string
  default     = "PriceClass_All"
}

variable "alb_ssl_policy" {
  description = "TLS policy of the ALB's HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "ses_mail_from_subdomain" {
  description = "Subdomain of domain_name used as the SES custom MAIL FROM domain (bounce handling and SPF alignment)."
  type        = string
  default     = "mail"
}

variable "create_dmarc_record" {
  description = "Publish a monitoring-only DMARC record (p=none) at _dmarc.<domain_name>. Set false if one exists."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the database and the load balancer from deletion. Set false (and apply) before `terraform destroy`."
  type        = bool
  default     = true
}
