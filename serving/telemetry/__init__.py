"""Telemetry: OpenTelemetry collector configuration and the audit schema."""
