# Route 53 records and ACM certificates (validated through DNS).
#   <domain_name>         A/AAAA alias -> CloudFront (what shoppers use)
#   origin.<domain_name>  A alias      -> ALB (what CloudFront connects to)
# and a Route 53 health check of /readyz through the whole path.

data "aws_route53_zone" "this" {
  name         = coalesce(var.hosted_zone_name, var.domain_name)
  private_zone = false
}

# The ALB's certificate names both hosts: CloudFront forwards the shoppers' Host header, and checks
# the origin's certificate against it.
resource "aws_acm_certificate" "alb" {
  domain_name               = var.domain_name
  subject_alternative_names = [local.origin_domain_name]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "cloudfront" {
  provider = aws.us_east_1

  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# ACM gives a domain the same validation record in every region of an account, so the records
# made for the ALB's certificate validate the CloudFront one too.
resource "aws_route53_record" "cert_validation" {
  for_each = {
    for option in aws_acm_certificate.alb.domain_validation_options : option.domain_name => {
      name   = option.resource_record_name
      type   = option.resource_record_type
      record = option.resource_record_value
    }
  }

  zone_id         = data.aws_route53_zone.this.zone_id
  name            = each.value.name
  type            = each.value.type
  records         = [each.value.record]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "alb" {
  certificate_arn         = aws_acm_certificate.alb.arn
  validation_record_fqdns = [for record in aws_route53_record.cert_validation : record.fqdn]
}

resource "aws_acm_certificate_validation" "cloudfront" {
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.cloudfront.arn
  validation_record_fqdns = [aws_route53_record.cert_validation[var.domain_name].fqdn]
}

resource "aws_route53_record" "shop" {
  for_each = toset(["A", "AAAA"])

  zone_id = data.aws_route53_zone.this.zone_id
  name    = var.domain_name
  type    = each.key

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "origin" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = local.origin_domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

# Checks the whole path (DNS, CloudFront, ALB, gunicorn, database, cache) from Route 53's checkers
# around the world every 30 s. It is for monitoring: with one CloudFront alias there is nothing to
# fail over to. Its HealthCheckStatus metric (CloudWatch, us-east-1) is the one to alarm on.
resource "aws_route53_health_check" "readyz" {
  fqdn              = var.domain_name
  port              = 443
  type              = "HTTPS"
  resource_path     = "/readyz"
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true

  tags = { Name = "${local.name}-readyz" }
}
