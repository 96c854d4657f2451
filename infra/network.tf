# VPC over two AZs: public subnets for the ALB and NAT gateways, private subnets for everything
# else. Security groups let each tier reach only the next one.

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = local.name }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = local.name }
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-public-${local.azs[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)

  tags = { Name = "${local.name}-private-${local.azs[count.index]}", Tier = "private" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = { Name = "${local.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = length(local.azs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# NAT: the instances reach PyPI, the Git host and AWS APIs; nothing reaches them from outside.
resource "aws_eip" "nat" {
  count = var.nat_gateway_per_az ? length(local.azs) : 1

  domain = "vpc"

  tags = { Name = "${local.name}-nat-${count.index}" }
}

resource "aws_nat_gateway" "this" {
  count = var.nat_gateway_per_az ? length(local.azs) : 1

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${local.name}-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = length(local.azs)

  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[var.nat_gateway_per_az ? count.index : 0].id
  }

  tags = { Name = "${local.name}-private-${local.azs[count.index]}" }
}

resource "aws_route_table_association" "private" {
  count = length(local.azs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# S3 traffic (collectstatic, media uploads) skips the NAT gateways: no data processing charge.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.aws_region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = { Name = "${local.name}-s3" }
}

# --- Security groups ---------------------------------------------------------------------------
# Terraform removes AWS's default allow-all egress rule from groups it creates, so a group below
# without an egress rule can send nothing.

resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "Pasar load balancer: HTTPS from CloudFront, HTTP (redirect only) from anywhere"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-alb" }
}

resource "aws_security_group" "web" {
  name        = "${local.name}-web"
  description = "Pasar web instances: gunicorn on 8000 from the load balancer"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-web" }
}

resource "aws_security_group" "worker" {
  name        = "${local.name}-worker"
  description = "Pasar Celery workers: no inbound traffic"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-worker" }
}

resource "aws_security_group" "database" {
  name        = "${local.name}-database"
  description = "Pasar PostgreSQL: 5432 from web and worker instances"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-database" }
}

resource "aws_security_group" "redis" {
  name        = "${local.name}-redis"
  description = "Pasar Redis: 6379 from web and worker instances"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-redis" }
}

resource "aws_security_group" "opensearch" {
  name        = "${local.name}-opensearch"
  description = "Pasar OpenSearch: 443 from web and worker instances"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-opensearch" }
}

# CloudFront's origin-facing addresses. The list counts as about 55 rules against the security
# group's quota of 60 inbound rules, so the ALB group holds little else.
data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

resource "aws_vpc_security_group_ingress_rule" "alb_https_from_cloudfront" {
  count = var.restrict_alb_to_cloudfront ? 1 : 0

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from CloudFront"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
}

resource "aws_vpc_security_group_ingress_rule" "alb_https_from_anywhere" {
  count = var.restrict_alb_to_cloudfront ? 0 : 1

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere; the listener only redirects to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_web" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To gunicorn on the web instances"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  security_group_id            = aws_security_group.web.id
  description                  = "gunicorn from the load balancer (traffic and /healthz)"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.alb.id
}

# Web and worker instances talk to the data stores, AWS APIs, PyPI and the Git host.
resource "aws_vpc_security_group_egress_rule" "app_all" {
  for_each = {
    web    = aws_security_group.web.id
    worker = aws_security_group.worker.id
  }

  security_group_id = each.value
  description       = "All outbound traffic"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

locals {
  # "<data store>-from-<app tier>" => rule
  data_store_ingress = merge([
    for store, rule in {
      database   = { group = aws_security_group.database.id, port = 5432 }
      redis      = { group = aws_security_group.redis.id, port = 6379 }
      opensearch = { group = aws_security_group.opensearch.id, port = 443 }
      } : {
      for tier, source in {
        web    = aws_security_group.web.id
        worker = aws_security_group.worker.id
        } : "${store}-from-${tier}" => {
        group  = rule.group
        port   = rule.port
        source = source
      }
    }
  ]...)
}

resource "aws_vpc_security_group_ingress_rule" "data_stores" {
  for_each = local.data_store_ingress

  security_group_id            = each.value.group
  description                  = each.key
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.source
}
