# Redis (ElastiCache, cluster mode off): a primary and a replica in the other AZ with automatic
# failover. One replication group serves three roles, on separate databases of the same nodes:
#   /0  Django's cache: rendered pages, version tokens, cached sessions (REDIS_URL)
#   /1  Celery's broker queues (CELERY_BROKER_URL)
# Clients connect with TLS (rediss://); the security group admits only the app instances.

resource "aws_elasticache_subnet_group" "this" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${local.name}-redis${split(".", var.redis_engine_version)[0]}"
  family      = "redis${split(".", var.redis_engine_version)[0]}"
  description = "Pasar Redis settings"

  # When memory runs out, evict only keys that have a TTL (rendered pages, sessions). Celery's
  # queues have none, so a full cache never drops a queued task. The page cache's version tokens
  # have none either; they are small. If keys without a TTL fill the memory, writes fail, so
  # watch the memory metric (docs/deploy.md).
  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = local.name
  description          = "Pasar cache, sessions and Celery broker"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.this.name

  num_cache_clusters          = 2
  preferred_cache_cluster_azs = local.azs
  automatic_failover_enabled  = true
  multi_az_enabled            = true

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true

  snapshot_retention_limit   = 1
  snapshot_window            = "17:00-18:00"
  maintenance_window         = "sun:20:30-sun:21:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false
}
