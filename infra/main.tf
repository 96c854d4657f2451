# Names, tags and look-ups shared by every file.

locals {
  name = "${var.project}-${var.environment}"

  tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  # Two Availability Zones: every tier (subnets, NAT, RDS Multi-AZ, Redis replica, OpenSearch
  # zone awareness, both ASGs) spreads over the same pair.
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # The instances read every parameter under this path into their environment at boot.
  ssm_path = "/${var.project}/${var.environment}"

  # The ALB's host name; CloudFront connects to it over HTTPS with the shop's certificate.
  origin_domain_name = "origin.${var.domain_name}"

  account_id = data.aws_caller_identity.current.account_id

  # Built from its name (not taken from the resource) so that the instances can start while the
  # OpenSearch domain, which takes longest to create, is still being made.
  opensearch_domain_arn = "arn:aws:es:${var.aws_region}:${local.account_id}:domain/${local.name}"
}

data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
