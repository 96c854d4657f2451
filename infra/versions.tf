terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.32" # 5.32 added instance_refresh's max_healthy_percentage
    }
  }

  # State is local until you add a backend. For a team, keep it in S3 with locking, e.g. a
  # `backend "s3" {}` block here and `terraform init -backend-config=backend.hcl` (see README.md).
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# CloudFront only accepts ACM certificates from us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}
