{{/* Chart name, overridable. */}}
{{- define "privllm-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name: the release name alone when it already contains the chart name. */}}
{{- define "privllm-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "privllm-lib.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "privllm-lib.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "privllm-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "privllm-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "privllm-lib.labels" -}}
{{ include "privllm-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | default .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: privllm
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/*
Image reference from the mirror: pass a dict with registry, repository, tag, digest.
Refuses what would make a deploy unreproducible or pull from an unknown place.
*/}}
{{- define "privllm-lib.image" -}}
{{- $img := . -}}
{{- if not $img.registry -}}
{{- fail "image.registry is empty: images must come from your registry mirror (e.g. registry.corp.internal:5000/mirror)" -}}
{{- end -}}
{{- if or (not $img.tag) (eq (toString $img.tag) "latest") -}}
{{- fail (printf "image.tag %q is not a fixed version: pin a release tag" (toString $img.tag)) -}}
{{- end -}}
{{- $ref := printf "%s/%s:%s" $img.registry $img.repository (toString $img.tag) -}}
{{- if $img.digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" $img.digest) -}}
{{- fail (printf "image.digest %q is not sha256: followed by 64 hex digits" $img.digest) -}}
{{- end -}}
{{- $ref = printf "%s@%s" $ref $img.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* Pod-level restricted context. Pass the chart's .Values.securityContext. */}}
{{- define "privllm-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "privllm-lib.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Egress to the cluster DNS service only (UDP and TCP 53). */}}
{{- define "privllm-lib.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}

{{/* Runbook link: pass (dict "base" $base "component" "vllm" "alert" "VllmQueueBacklog"). */}}
{{- define "privllm-lib.runbookUrl" -}}
{{- if not .base -}}
{{- fail "metrics.runbookBaseUrl is empty: every alert must link to its runbook" -}}
{{- end -}}
{{- printf "%s/%s/%s.md" (trimSuffix "/" .base) .component .alert -}}
{{- end -}}

{{/*
SecretProviderClass for the Secrets Store CSI driver with the Vault provider:
secrets reach pods as files, never env vars. Pass (dict "name" "address" "role" "objects" (list (dict "file" "path" "key"))).
*/}}
{{- define "privllm-lib.secretProviderClass" -}}
{{- if not .address -}}
{{- fail "a Vault address is required for the SecretProviderClass (https://...)" -}}
{{- end -}}
{{- if not (hasPrefix "https://" .address) -}}
{{- fail (printf "Vault address %q must use https://" .address) -}}
{{- end -}}
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
  labels:
    {{- .labels | nindent 4 }}
spec:
  provider: vault
  parameters:
    vaultAddress: {{ .address | quote }}
    roleName: {{ .role | quote }}
    objects: |
      {{- range .objects }}
      - objectName: {{ .file | quote }}
        secretPath: {{ .path | quote }}
        secretKey: {{ .key | quote }}
      {{- end }}
{{- end -}}

{{/* Writable scratch volumes a read-only root filesystem needs. Pass a list of names. */}}
{{- define "privllm-lib.scratchVolumes" -}}
{{- range . }}
- name: {{ . }}
  emptyDir:
    sizeLimit: 2Gi
{{- end }}
{{- end -}}
