# Tessera on AWS: the stateful services around the stateless planes.
#
#   PostgreSQL 15 (RDS)         postgres.tf
#   Redis 7 (ElastiCache)       redis.tf
#   CloudHSM cluster + HSMs     cloudhsm.tf
#   Secrets Manager secrets     secrets.tf
#   EKS (existing cluster, referenced), KMS key, security groups: this file
#   Temporal: Temporal Cloud or self-hosted, referenced through variables only
#
# The workloads themselves are deployed with the manifests in infra/k8s.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "tessera", Deployment = var.name, ManagedBy = "terraform" }, var.tags)
  }
}

# The EKS cluster is referenced, not created.
data "aws_eks_cluster" "this" {
  name = var.eks_cluster_name
}

data "aws_eks_cluster_auth" "this" {
  name = var.eks_cluster_name
}

provider "kubernetes" {
  host                   = data.aws_eks_cluster.this.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
  token                  = data.aws_eks_cluster_auth.this.token
}

locals {
  # Who may connect to Postgres, Redis and the HSMs: the EKS cluster security
  # group (attached to managed node groups and Fargate pods) plus extras.
  client_security_group_ids = toset(concat(
    [data.aws_eks_cluster.this.vpc_config[0].cluster_security_group_id],
    var.additional_client_security_group_ids,
  ))
}

# One customer-managed key for everything Tessera stores at rest in AWS.
resource "aws_kms_key" "tessera" {
  description             = "${var.name}: RDS storage, ElastiCache at rest, Secrets Manager"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "tessera" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.tessera.key_id
}

resource "kubernetes_namespace_v1" "tessera" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name = var.kubernetes_namespace
    labels = {
      "app.kubernetes.io/part-of"          = "tessera"
      "pod-security.kubernetes.io/enforce" = "restricted"
    }
  }
}
