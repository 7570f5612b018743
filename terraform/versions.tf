terraform {
  required_version = ">= 1.5.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.94.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "2.36.0"
    }
  }

  # State holds the secret values passed in as variables (master key, Redis
  # AUTH token, …): keep it in an encrypted, access-controlled backend, e.g.
  #
  # backend "s3" {
  #   bucket       = "<state bucket>"
  #   key          = "tessera/terraform.tfstate"
  #   region       = "<region>"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}
