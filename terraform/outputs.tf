# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

output "postgres_address" {
  description = "RDS endpoint host name (DATABASE_URL host)."
  value       = aws_db_instance.postgres.address
}

output "postgres_port" {
  description = "RDS port."
  value       = aws_db_instance.postgres.port
}

output "postgres_database" {
  description = "Database name (DATABASE_URL path)."
  value       = aws_db_instance.postgres.db_name
}

output "postgres_master_user_secret_arn" {
  description = "Secrets Manager secret (JSON with username and password) that RDS manages for the master user."
  value       = aws_db_instance.postgres.master_user_secret[0].secret_arn
}

output "database_url_template" {
  description = "DATABASE_URL with the password left to fill in from postgres_master_user_secret_arn (URL-encode it). sslrootcert must point at the RDS CA bundle mounted in the pods."
  value       = "postgres://${aws_db_instance.postgres.username}:<password>@${aws_db_instance.postgres.address}:${aws_db_instance.postgres.port}/${aws_db_instance.postgres.db_name}?sslmode=verify-full&sslrootcert=/etc/tessera/rds-ca/global-bundle.pem"
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------

output "redis_primary_endpoint" {
  description = "ElastiCache primary endpoint (TLS, AUTH token required)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "redis_url_secret_arn" {
  description = "Secrets Manager secret holding the complete REDIS_URL."
  value       = aws_secretsmanager_secret.redis_url.arn
}

# ---------------------------------------------------------------------------
# CloudHSM
# ---------------------------------------------------------------------------

output "cloudhsm_cluster_id" {
  description = "CloudHSM cluster ID (initialise and activate it before use), or null when disabled."
  value       = one(aws_cloudhsm_v2_cluster.this[*].cluster_id)
}

output "cloudhsm_cluster_state" {
  description = "CloudHSM cluster state as of the last apply (UNINITIALIZED until initialised by hand)."
  value       = one(aws_cloudhsm_v2_cluster.this[*].cluster_state)
}

output "cloudhsm_security_group_id" {
  description = "Security group CloudHSM created for the cluster."
  value       = one(aws_cloudhsm_v2_cluster.this[*].security_group_id)
}

output "cloudhsm_hsm_ip_addresses" {
  description = "ENI addresses of the HSMs."
  value       = aws_cloudhsm_v2_hsm.this[*].ip_address
}

# ---------------------------------------------------------------------------
# Secrets, keys, access
# ---------------------------------------------------------------------------

output "master_key_secret_arn" {
  description = "Secrets Manager secret holding TESSERA_MASTER_KEY."
  value       = aws_secretsmanager_secret.master_key.arn
}

output "operator_key_sha256_secret_arn" {
  description = "Secrets Manager secret holding TESSERA_OPERATOR_KEY_SHA256."
  value       = aws_secretsmanager_secret.operator_key_sha256.arn
}

output "monitor_token_sha256_secret_arn" {
  description = "Secrets Manager secret holding MONITOR_API_TOKEN_SHA256, or null when no token is configured."
  value       = one(aws_secretsmanager_secret.monitor_token_sha256[*].arn)
}

output "kms_key_arn" {
  description = "Customer-managed KMS key encrypting RDS, ElastiCache and the secrets."
  value       = aws_kms_key.tessera.arn
}

output "read_secrets_policy_arn" {
  description = "IAM policy granting read access to the Tessera secrets; attach it to the external-secrets (or pod) role."
  value       = aws_iam_policy.read_secrets.arn
}

# ---------------------------------------------------------------------------
# Kubernetes and Temporal
# ---------------------------------------------------------------------------

output "kubernetes_namespace" {
  description = "Namespace for infra/k8s."
  value       = var.kubernetes_namespace
}

output "eks_cluster_endpoint" {
  description = "API endpoint of the referenced EKS cluster."
  value       = data.aws_eks_cluster.this.endpoint
}

output "temporal_address" {
  description = "Value for TEMPORAL_ADDRESS in the tessera-config ConfigMap."
  value       = var.temporal_cloud_endpoint
}

output "temporal_namespace" {
  description = "Temporal Cloud namespace (the processes do not read a namespace setting yet; see terraform/README.md)."
  value       = var.temporal_cloud_namespace
}
