# AWS CloudHSM: the network HSM behind the PKCS#11 key store (signing inside
# the HSM). Its PKCS#11 library cannot create tokens, so Tessera runs with
# TESSERA_HSM_MODE=shared-partition on the cluster's one token, logged in as
# one crypto user (docs/keys.md "HSM modes").
#
# Terraform creates the cluster and its HSMs only. Before use, the cluster
# must be initialised and activated by hand (download the CSR, sign it with
# your issuing CA, `aws cloudhsmv2 initialize-cluster`, then activate it with
# the CloudHSM CLI and create the crypto user the processes log in as): see
# terraform/README.md. The pods then need the CloudHSM PKCS#11 client library
# in their image and PKCS11_MODULE pointing at it.

resource "aws_cloudhsm_v2_cluster" "this" {
  count = var.enable_cloudhsm ? 1 : 0

  hsm_type   = var.cloudhsm_hsm_type
  subnet_ids = var.private_subnet_ids
}

resource "aws_cloudhsm_v2_hsm" "this" {
  count = var.enable_cloudhsm ? var.cloudhsm_hsm_count : 0

  cluster_id = aws_cloudhsm_v2_cluster.this[0].cluster_id
  # Round-robin over the subnets, i.e. over availability zones.
  subnet_id = var.private_subnet_ids[count.index % length(var.private_subnet_ids)]
}

# CloudHSM creates the cluster's security group itself; let the Tessera
# workloads reach the HSMs (client ports 2223-2225).
resource "aws_vpc_security_group_ingress_rule" "cloudhsm" {
  for_each = var.enable_cloudhsm ? local.client_security_group_ids : toset([])

  security_group_id            = aws_cloudhsm_v2_cluster.this[0].security_group_id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 2223
  to_port                      = 2225
  description                  = "CloudHSM client from ${each.value}"
}
