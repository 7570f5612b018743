# ---------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------

variable "name" {
  description = "Name prefix for every resource (e.g. tessera-prod)."
  type        = string
  default     = "tessera"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------
# Network (this module creates no VPC: it takes an existing one)
# ---------------------------------------------------------------------------

variable "vpc_id" {
  description = "ID of the existing VPC (the one the EKS cluster runs in)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnet IDs, in at least two availability zones, for RDS, ElastiCache and the CloudHSM cluster."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Give at least two private subnets (in different availability zones)."
  }
}

variable "additional_client_security_group_ids" {
  description = "Security groups, besides the EKS cluster security group, allowed to reach Postgres, Redis and the HSMs (e.g. the node group security group if it is not the cluster one)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------
# Kubernetes (an existing EKS cluster)
# ---------------------------------------------------------------------------

variable "eks_cluster_name" {
  description = "Name of the existing EKS cluster that runs the Tessera pods."
  type        = string
}

variable "create_namespace" {
  description = "Create the Kubernetes namespace with the kubernetes provider (infra/k8s also creates it; enable one of the two)."
  type        = bool
  default     = false
}

variable "kubernetes_namespace" {
  description = "Kubernetes namespace of the Tessera workloads."
  type        = string
  default     = "tessera"
}

# ---------------------------------------------------------------------------
# PostgreSQL (RDS)
# ---------------------------------------------------------------------------

variable "db_engine_version" {
  description = "RDS PostgreSQL engine version (major, or major.minor)."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.db_engine_version))
    error_message = "Tessera targets PostgreSQL 15: use \"15\" or \"15.x\"."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.m7g.large"
}

variable "db_allocated_storage_gb" {
  description = "Initial storage (GiB)."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling (GiB); 0 disables autoscaling."
  type        = number
  default     = 500
}

variable "db_multi_az" {
  description = "Run a synchronous standby in a second availability zone."
  type        = bool
  default     = true
}

variable "db_name" {
  description = "Database created on the instance (the path of DATABASE_URL)."
  type        = string
  default     = "tessera"
}

variable "db_username" {
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS (never in Terraform state)."
  type        = string
  default     = "tessera"
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database instance (turn off deliberately before destroying)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# Redis (ElastiCache, cluster mode disabled)
# ---------------------------------------------------------------------------

variable "redis_engine_version" {
  description = "ElastiCache Redis OSS engine version (7.x, major.minor)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.redis_engine_version))
    error_message = "Tessera targets Redis 7: use e.g. \"7.1\"."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.m7g.large"
}

variable "redis_num_cache_clusters" {
  description = "Nodes in the replication group (primary + replicas). 2 or more enables automatic failover and Multi-AZ."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 1 && var.redis_num_cache_clusters <= 6
    error_message = "redis_num_cache_clusters must be between 1 and 6."
  }
}

variable "redis_auth_token" {
  description = "Redis AUTH token (in-transit encryption is always on). 16-128 characters, letters, digits and hyphens only so it can sit in a rediss:// URL unescaped; e.g. `openssl rand -hex 32`."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{16,128}$", var.redis_auth_token))
    error_message = "redis_auth_token must be 16-128 characters of letters, digits and hyphens."
  }
}

# ---------------------------------------------------------------------------
# AWS CloudHSM (PKCS#11 keys of the tenants)
# ---------------------------------------------------------------------------

variable "enable_cloudhsm" {
  description = "Create the CloudHSM cluster and its HSMs. Without it, Tessera uses the software key store (keys sealed under the master key in Postgres)."
  type        = bool
  default     = true
}

variable "cloudhsm_hsm_type" {
  description = "CloudHSM HSM type."
  type        = string
  default     = "hsm1.medium"
}

variable "cloudhsm_hsm_count" {
  description = "HSMs in the cluster, spread over the private subnets. Use at least 2 for availability."
  type        = number
  default     = 2

  validation {
    condition     = var.cloudhsm_hsm_count >= 1 && var.cloudhsm_hsm_count <= 28
    error_message = "cloudhsm_hsm_count must be between 1 and 28."
  }
}

# ---------------------------------------------------------------------------
# Application secrets (stored in AWS Secrets Manager)
# ---------------------------------------------------------------------------

variable "tessera_master_key" {
  description = "TESSERA_MASTER_KEY: base64url of 32 random bytes (`openssl rand 32 | basenc --base64url`). Seals every tenant's private keys and HSM PINs."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{43}=?$", var.tessera_master_key))
    error_message = "tessera_master_key must be 32 bytes, base64url-encoded (43 characters, optional trailing '=')."
  }
}

variable "tessera_operator_key_sha256" {
  description = "TESSERA_OPERATOR_KEY_SHA256: hex SHA-256 of the operator API key(s), comma-separated (`printf %s \"$KEY\" | sha256sum`)."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$", var.tessera_operator_key_sha256))
    error_message = "tessera_operator_key_sha256 must be one or more comma-separated 64-character hex SHA-256 digests."
  }
}

variable "monitor_api_token_sha256" {
  description = "MONITOR_API_TOKEN_SHA256: hex SHA-256 of the metrics bearer token(s), comma-separated; empty makes /monitor/v1/metrics answer 401 (unless MONITOR_METRICS=open)."
  type        = string
  sensitive   = true
  default     = ""

  validation {
    condition     = var.monitor_api_token_sha256 == "" || can(regex("^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$", var.monitor_api_token_sha256))
    error_message = "monitor_api_token_sha256 must be empty or comma-separated 64-character hex SHA-256 digests."
  }
}

variable "secret_recovery_window_days" {
  description = "Days Secrets Manager keeps a deleted secret recoverable (0 deletes at once; 7-30 otherwise)."
  type        = number
  default     = 30
}

# ---------------------------------------------------------------------------
# Temporal Cloud (not created here: Temporal Cloud namespaces are managed in
# Temporal Cloud, or with its own `temporalio/temporalcloud` provider)
# ---------------------------------------------------------------------------

variable "temporal_cloud_namespace" {
  description = "Temporal Cloud namespace (<name>.<account id>). Empty when using a self-hosted Temporal cluster."
  type        = string
  default     = ""
}

variable "temporal_cloud_endpoint" {
  description = "Temporal gRPC endpoint the processes get as TEMPORAL_ADDRESS, e.g. <namespace>.tmprl.cloud:7233, or a self-hosted frontend host:port."
  type        = string
  default     = ""
}
