# Application Load Balancer in the public subnets. TLS ends here; the ALB sets X-Forwarded-Proto,
# which Django trusts (SECURE_PROXY_SSL_HEADER), and forwards plain HTTP to gunicorn on 8000.

resource "aws_lb" "this" {
  name               = local.name
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id

  idle_timeout               = 60
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  tags = { Name = local.name }
}

resource "aws_lb_target_group" "web" {
  name        = "${local.name}-web"
  port        = 8000
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = aws_vpc.this.id

  # gunicorn's sync workers serve one request each: send the next request to the instance with
  # the fewest in flight rather than strictly in turn.
  load_balancing_algorithm_type = "least_outstanding_requests"
  deregistration_delay          = 30

  # /healthz is answered by the first middleware: no database, no cache, and neither
  # ALLOWED_HOSTS nor the HTTPS redirect applies, so the probe's Host (the instance's IP) and
  # plain HTTP are fine. /readyz (database and cache) is for people and alarms, not for the ALB:
  # a database blip would otherwise mark every instance unhealthy at once.
  health_check {
    path                = "/healthz"
    protocol            = "HTTP"
    port                = "traffic-port"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Name = "${local.name}-web" }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.alb_ssl_policy
  certificate_arn   = aws_acm_certificate_validation.alb.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}
