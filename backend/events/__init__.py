"""Small events published after commit on Redis pub/sub, so live views in any process can follow."""
