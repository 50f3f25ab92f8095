{{- define "llm-gateway.fullname" -}}{{ include "privllm-lib.fullname" . }}{{- end -}}
{{- define "llm-gateway.redisName" -}}{{ printf "%s-redis" (include "llm-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "llm-gateway.redisSelector" -}}
app.kubernetes.io/name: {{ include "privllm-lib.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "llm-gateway.checks" -}}
{{- $ks := .Values.gateway.key_store | default dict -}}
{{- if or (ne ($ks.kind | default "") "vault") (not $ks.address) (not $ks.jwt_file) (not $ks.ca_file) -}}
{{- fail "gateway.key_store needs kind: vault, address (https://...), jwt_file and ca_file: the gateway reads API-key hashes from Vault" -}}
{{- end -}}
{{- if .Values.redis.enabled -}}
{{- $url := printf "redis://%s:%d/0" (include "llm-gateway.redisName" .) (int .Values.redis.port) -}}
{{- if ne ((.Values.gateway.rate_limits | default dict).redis_url | default "") $url -}}
{{- fail (printf "gateway.rate_limits.redis_url must be %s (this release's Redis) when redis.enabled" $url) -}}
{{- end -}}
{{- if not .Values.gateway.rate_limits.redis_password_file -}}
{{- fail "gateway.rate_limits.redis_password_file is required when redis.enabled (where the Vault-mounted password is read)" -}}
{{- end -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.redis.enabled) -}}
{{- fail (printf "replicas=%d with redis.enabled=false would give each replica its own rate limits: enable redis or use one replica" (int .Values.replicas)) -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (not .Values.redis.enabled) -}}
{{- fail "autoscaling.enabled needs redis.enabled: rate limits must be shared between replicas" -}}
{{- end -}}
{{- if not (or .Values.networkPolicy.allowedCidrs .Values.networkPolicy.ingressControllerNamespace) -}}
{{- fail "networkPolicy.allowedCidrs or networkPolicy.ingressControllerNamespace is required: name who may call the gateway" -}}
{{- end -}}
{{- range .Values.gateway.upstreams -}}
{{- if hasPrefix "http://" .url -}}
{{- if not (contains ".svc" .url) -}}
{{- fail (printf "gateway.upstreams %q: plain http is allowed only to in-cluster services (.svc), got %s" .name .url) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "llm-gateway.image" -}}
{{- include "privllm-lib.image" (dict "registry" .Values.image.registry "repository" .Values.image.repository "tag" .Values.image.tag "digest" .Values.image.digest) -}}
{{- end -}}
