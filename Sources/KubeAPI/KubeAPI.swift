// The Kubernetes API client module.
