{{- define "llm-gateway.fullname" -}}{{ include "privllm-lib.fullname" . }}{{- end -}}
{{- define "llm-gateway.redisName" -}}{{ printf "%s-redis" (include "llm-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "llm-gateway.redisSelector" -}}
app.kubernetes.io/name: {{ include "privllm-lib.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "llm-gateway.checks" -}}
{{- if not .Values.vault.address -}}
{{- fail "vault.address is required: the gateway reads API-key hashes from Vault (https://...)" -}}
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
