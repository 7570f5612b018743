# Redis 7 on ElastiCache: short-lived state (codes, sessions, replay caches,
# quota counters, config-invalidation pub/sub, BullMQ queues). Cluster mode
# is disabled (the processes use a single-endpoint client), TLS in transit
# and an AUTH token are always on, at-rest encryption uses the Tessera key.
# The processes reach it as rediss://:<token>@<primary endpoint>:6379.

resource "aws_elasticache_subnet_group" "redis" {
  name       = "${var.name}-redis"
  subnet_ids = var.private_subnet_ids
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Tessera Redis: inbound 6379 from the Tessera workloads only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each = local.client_security_group_ids

  security_group_id            = aws_security_group.redis.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "Redis from ${each.value}"
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "${var.name}-redis"
  description          = "Tessera short-lived state"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  parameter_group_name = "default.redis7"
  node_type            = var.redis_node_type
  port                 = 6379
  num_cache_clusters   = var.redis_num_cache_clusters

  automatic_failover_enabled = var.redis_num_cache_clusters > 1
  multi_az_enabled           = var.redis_num_cache_clusters > 1

  subnet_group_name  = aws_elasticache_subnet_group.redis.name
  security_group_ids = [aws_security_group.redis.id]

  transit_encryption_enabled = true
  auth_token                 = var.redis_auth_token
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.tessera.arn

  # Nothing here needs to survive a restore; keep one day for forensics.
  snapshot_retention_limit = 1
  apply_immediately        = false
}
