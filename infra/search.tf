# OpenSearch for product search (planned: the app's search backend comes in a later issue).
# Inside the VPC, over the two private subnets, encrypted, HTTPS only. Access is by IAM: only the
# instances' role may call it, with SigV4-signed requests (opensearch-py's AWSV4SignerAuth).

resource "aws_iam_service_linked_role" "opensearch" {
  count = var.create_opensearch_service_linked_role ? 1 : 0

  aws_service_name = "opensearchservice.amazonaws.com"
}

data "aws_iam_policy_document" "opensearch_access" {
  statement {
    actions   = ["es:ESHttp*"]
    resources = ["${local.opensearch_domain_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }
}

resource "aws_opensearch_domain" "this" {
  domain_name    = local.name
  engine_version = var.opensearch_engine_version

  cluster_config {
    instance_type          = var.opensearch_instance_type
    instance_count         = var.opensearch_instance_count
    zone_awareness_enabled = true

    zone_awareness_config {
      availability_zone_count = 2
    }
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.opensearch_volume_size
  }

  vpc_options {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.opensearch.id]
  }

  encrypt_at_rest {
    enabled = true
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }

  access_policies = data.aws_iam_policy_document.opensearch_access.json

  tags = { Name = local.name }

  depends_on = [aws_iam_service_linked_role.opensearch]
}
