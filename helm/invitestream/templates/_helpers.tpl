{{- define "invitestream.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "invitestream.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "invitestream.labels" -}}
app.kubernetes.io/name: {{ include "invitestream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "invitestream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "invitestream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
