"""What the kubelet serves: containers, their logs, metrics, and exec sessions (real processes, isolated)."""
