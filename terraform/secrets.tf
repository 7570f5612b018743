# Application secrets in AWS Secrets Manager, encrypted with the Tessera KMS
# key. Sync them into the `tessera-secrets` Kubernetes Secret with an external
# secrets operator (IAM policy below), or copy them by hand.
#
# The values come from variables: they are therefore in Terraform state.
# Keep the state encrypted and access-controlled (see versions.tf). If that is
# not acceptable, remove the aws_secretsmanager_secret_version resources and
# put the values in with `aws secretsmanager put-secret-value` instead.

resource "aws_secretsmanager_secret" "master_key" {
  name                    = "${var.name}/master-key"
  description             = "TESSERA_MASTER_KEY: base64url 32-byte key sealing tenant private keys and HSM PINs. Losing it loses them."
  kms_key_id              = aws_kms_key.tessera.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "master_key" {
  secret_id     = aws_secretsmanager_secret.master_key.id
  secret_string = var.tessera_master_key
}

resource "aws_secretsmanager_secret" "operator_key_sha256" {
  name                    = "${var.name}/operator-key-sha256"
  description             = "TESSERA_OPERATOR_KEY_SHA256: hex SHA-256 of the operator API key(s), comma-separated"
  kms_key_id              = aws_kms_key.tessera.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "operator_key_sha256" {
  secret_id     = aws_secretsmanager_secret.operator_key_sha256.id
  secret_string = lower(var.tessera_operator_key_sha256)
}

# Only when a metrics token is configured (whether one is set is not secret).
resource "aws_secretsmanager_secret" "monitor_token_sha256" {
  count = nonsensitive(var.monitor_api_token_sha256 != "") ? 1 : 0

  name                    = "${var.name}/monitor-token-sha256"
  description             = "MONITOR_API_TOKEN_SHA256: hex SHA-256 of the /monitor/v1/metrics bearer token(s)"
  kms_key_id              = aws_kms_key.tessera.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "monitor_token_sha256" {
  count = length(aws_secretsmanager_secret.monitor_token_sha256)

  secret_id     = aws_secretsmanager_secret.monitor_token_sha256[0].id
  secret_string = lower(var.monitor_api_token_sha256)
}

# REDIS_URL, ready to use (TLS + AUTH token).
resource "aws_secretsmanager_secret" "redis_url" {
  name                    = "${var.name}/redis-url"
  description             = "REDIS_URL: rediss:// URL of the ElastiCache primary endpoint with the AUTH token"
  kms_key_id              = aws_kms_key.tessera.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://:${var.redis_auth_token}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:${aws_elasticache_replication_group.redis.port}"
}

# Read access to all of the above plus the RDS-managed master user secret,
# for the role an external secrets operator (or the pods, via IRSA / EKS Pod
# Identity) assumes. Attaching it to a role is left to the cluster's setup.
data "aws_iam_policy_document" "read_secrets" {
  statement {
    sid     = "ReadTesseraSecrets"
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = concat(
      [
        aws_secretsmanager_secret.master_key.arn,
        aws_secretsmanager_secret.operator_key_sha256.arn,
        aws_secretsmanager_secret.redis_url.arn,
        aws_db_instance.postgres.master_user_secret[0].secret_arn,
      ],
      aws_secretsmanager_secret.monitor_token_sha256[*].arn,
    )
  }

  statement {
    sid       = "DecryptWithTesseraKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.tessera.arn]
  }
}

resource "aws_iam_policy" "read_secrets" {
  name        = "${var.name}-read-secrets"
  description = "Read the Tessera secrets in Secrets Manager"
  policy      = data.aws_iam_policy_document.read_secrets.json
}
