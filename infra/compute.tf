# Two Auto Scaling groups on Amazon Linux 2023 in the private subnets:
#   web     gunicorn behind the ALB; scales on CPU and on ALB requests per instance
#   worker  Celery: the background tasks (e-mail, SMS/push, Personalize events, search indexing
#           as those features land); scales on CPU
# Both run the same release of the same code with the same environment, set up by user data
# (templates/user_data.sh.tftpl), and share one instance role.

# --- Instance role -----------------------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${local.name}-app"
  description        = "Pasar web and worker instances"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_instance_profile" "app" {
  name = "${local.name}-app"
  role = aws_iam_role.app.name
}

# Session Manager and Run Command: shell access and `pasar-release` without SSH or a bastion.
resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "app" {
  statement {
    sid       = "AssetsBucketList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.assets.arn]
  }

  statement {
    sid       = "AssetsBucketObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
  }

  statement {
    sid     = "ReadAppEnvironment"
    actions = ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"]
    resources = [
      "arn:aws:ssm:${var.aws_region}:${local.account_id}:parameter${local.ssm_path}",
      "arn:aws:ssm:${var.aws_region}:${local.account_id}:parameter${local.ssm_path}/*",
    ]
  }

  statement {
    sid       = "ReadDatabasePassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_db_instance.this.master_user_secret[0].secret_arn]
  }

  statement {
    sid     = "SendEmail"
    actions = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [
      aws_sesv2_email_identity.this.arn,
      aws_sesv2_configuration_set.this.arn,
    ]
  }

  # AWS End User Messaging SMS (the pinpoint-sms-voice-v2 API).
  statement {
    sid       = "SendSms"
    actions   = ["sms-voice:SendTextMessage"]
    resources = ["arn:aws:sms-voice:${var.aws_region}:${local.account_id}:*"]
  }

  # Push notifications go through the Pinpoint (mobiletargeting) API.
  statement {
    sid       = "SendPush"
    actions   = ["mobiletargeting:SendMessages", "mobiletargeting:SendUsersMessages"]
    resources = ["arn:aws:mobiletargeting:${var.aws_region}:${local.account_id}:apps/*"]
  }

  # Runtime only: recommendations and event tracking. Creating datasets, solutions and campaigns
  # is an operator's job (a management command run with operator credentials).
  statement {
    sid = "PersonalizeRuntime"
    actions = [
      "personalize:GetRecommendations",
      "personalize:GetPersonalizedRanking",
      "personalize:PutEvents",
    ]
    resources = ["arn:aws:personalize:${var.aws_region}:${local.account_id}:*"]
  }

  statement {
    sid       = "SearchDomain"
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    resources = ["${local.opensearch_domain_arn}/*"]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "pasar-app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# --- Launch templates and groups ---------------------------------------------------------------

locals {
  tiers = {
    web = {
      instance_type     = var.web_instance_type
      security_group_id = aws_security_group.web.id
      min_size          = var.web_min_size
      max_size          = var.web_max_size
    }
    worker = {
      instance_type     = var.worker_instance_type
      security_group_id = aws_security_group.worker.id
      min_size          = var.worker_min_size
      max_size          = var.worker_max_size
    }
  }

  # What the boot scripts need besides the SSM parameters; written to /etc/pasar/bootstrap.json.
  bootstrap = {
    region        = var.aws_region
    ssm_path      = local.ssm_path
    db_secret_arn = aws_db_instance.this.master_user_secret[0].secret_arn
  }
}

resource "aws_launch_template" "app" {
  for_each = local.tiers

  name        = "${local.name}-${each.key}"
  description = "Pasar ${each.key} (${var.app_git_ref})"

  # Resolved at each launch: new instances get the current Amazon Linux 2023 AMI.
  image_id      = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
  instance_type = each.value.instance_type

  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }

  vpc_security_group_ids = [each.value.security_group_id]

  user_data = base64gzip(templatefile("${path.module}/templates/user_data.sh.tftpl", {
    role           = each.key
    python         = var.python_package
    app_repo_url   = var.app_repo_url
    app_git_ref    = var.app_git_ref
    bootstrap_json = jsonencode(local.bootstrap)
  }))

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = "${local.name}-${each.key}", Role = each.key })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.tags, { Name = "${local.name}-${each.key}", Role = each.key })
  }

  update_default_version = true
}

resource "aws_autoscaling_group" "app" {
  for_each = local.tiers

  name                = "${local.name}-${each.key}"
  vpc_zone_identifier = aws_subnet.private[*].id
  min_size            = each.value.min_size
  max_size            = each.value.max_size
  # desired_capacity is left to the scaling policies (and to you before a sale: docs/deploy.md).

  launch_template {
    id      = aws_launch_template.app[each.key].id
    version = aws_launch_template.app[each.key].latest_version
  }

  target_group_arns = each.key == "web" ? [aws_lb_target_group.web.arn] : []

  # Web instances are replaced when the ALB finds them unhealthy; the grace period covers the
  # first boot (packages, git clone, pip install).
  health_check_type         = each.key == "web" ? "ELB" : "EC2"
  health_check_grace_period = 600
  default_instance_warmup   = 300

  enabled_metrics = [
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
  ]

  # A new launch template version (a new app_git_ref, instance type or boot script) replaces the
  # instances: new ones are launched and warmed up before old ones go, so capacity never drops.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 150
      instance_warmup        = 300
    }
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-${each.key}"
    propagate_at_launch = true
  }

  depends_on = [
    aws_ssm_parameter.app,
    aws_iam_role_policy.app,
  ]
}

# --- Scaling -----------------------------------------------------------------------------------
# Target tracking adds instances when any policy is above its target and removes them only when
# all are comfortably below theirs.

resource "aws_autoscaling_policy" "web_cpu" {
  name                   = "${local.name}-web-cpu"
  autoscaling_group_name = aws_autoscaling_group.app["web"].name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }

    target_value = var.web_cpu_target
  }
}

resource "aws_autoscaling_policy" "web_requests" {
  name                   = "${local.name}-web-requests"
  autoscaling_group_name = aws_autoscaling_group.app["web"].name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.web.arn_suffix}"
    }

    target_value = var.web_requests_per_target
  }

  # The metric exists only once the target group is attached to the load balancer.
  depends_on = [aws_lb_listener.https]
}

resource "aws_autoscaling_policy" "worker_cpu" {
  name                   = "${local.name}-worker-cpu"
  autoscaling_group_name = aws_autoscaling_group.app["worker"].name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }

    target_value = var.worker_cpu_target
  }
}
