# PostgreSQL on RDS: Multi-AZ, encrypted, backed up, reachable only from the app instances.
# RDS generates the master password and keeps it in Secrets Manager (and rotates it, every 7
# days by default); the instances read it into a libpq password file, never into Terraform state.

resource "aws_db_subnet_group" "this" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id

  tags = { Name = local.name }
}

resource "aws_db_parameter_group" "this" {
  name        = "${local.name}-postgres${split(".", var.db_engine_version)[0]}"
  family      = "postgres${split(".", var.db_engine_version)[0]}"
  description = "Pasar PostgreSQL settings"

  # TLS only: DATABASE_URL carries sslmode=require.
  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }

  # Log statements slower than half a second (exported to CloudWatch Logs below).
  parameter {
    name         = "log_min_duration_statement"
    value        = "500"
    apply_method = "pending-reboot"
  }

  # Order placement waits on row locks; log waits longer than deadlock_timeout (1 s).
  parameter {
    name         = "log_lock_waits"
    value        = "1"
    apply_method = "pending-reboot"
  }

  # A session left idle inside a transaction holds its locks; end it after a minute.
  parameter {
    name         = "idle_in_transaction_session_timeout"
    value        = "60000"
    apply_method = "pending-reboot"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# RDS creates this log group on its own, without a retention period; made here, it keeps 30 days.
resource "aws_cloudwatch_log_group" "postgresql" {
  name              = "/aws/rds/instance/${local.name}/postgresql"
  retention_in_days = 30
}

resource "aws_db_instance" "this" {
  identifier     = local.name
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class

  db_name                     = var.db_name
  username                    = var.db_username
  manage_master_user_password = true

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name

  backup_retention_period   = var.db_backup_retention_days
  backup_window             = "18:00-19:00" # UTC; after midnight in South-East Asia
  maintenance_window        = "sun:19:30-sun:20:30"
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-final"

  auto_minor_version_upgrade            = true
  allow_major_version_upgrade           = false
  apply_immediately                     = false
  performance_insights_enabled          = true
  performance_insights_retention_period = 7
  enabled_cloudwatch_logs_exports       = ["postgresql"]

  tags = { Name = local.name }

  depends_on = [aws_cloudwatch_log_group.postgresql]
}
