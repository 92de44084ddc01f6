{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "sagemaker-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects; the release name alone when it already contains the chart name. */}}
{{- define "sagemaker-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sagemaker-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sagemaker-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sagemaker-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sagemaker-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sagemaker-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sagemaker-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sagemaker-operator.subject" -}}
- kind: ServiceAccount
  name: {{ include "sagemaker-operator.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}

{{- define "sagemaker-operator.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on: as configured, else exactly when there is more than one replica. */}}
{{- define "sagemaker-operator.leaderElect" -}}
{{- $enabled := .Values.leaderElection.enabled }}
{{- if kindIs "invalid" $enabled }}
{{- gt (int .Values.replicas) 1 }}
{{- else }}
{{- $enabled }}
{{- end }}
{{- end }}

{{- define "sagemaker-operator.leaseName" -}}
{{- default (include "sagemaker-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "sagemaker-operator.pdbEnabled" -}}
{{- $enabled := .Values.podDisruptionBudget.enabled }}
{{- if kindIs "invalid" $enabled }}
{{- gt (int .Values.replicas) 1 }}
{{- else }}
{{- $enabled }}
{{- end }}
{{- end }}

{{/* The rules the operator needs on its own kinds and on events, in every namespace it watches. */}}
{{- define "sagemaker-operator.rules" -}}
- apiGroups: [sagemaker.mlops.dev]
  resources: [trainingjobs, endpoints, monitoringschedules, multimodelsets, transformjobs, processingjobs, modelpackagegroups, modelpackages]
  verbs: [get, list, watch, patch, update]
- apiGroups: [sagemaker.mlops.dev]
  resources: [trainingjobs/status, endpoints/status, monitoringschedules/status, multimodelsets/status, transformjobs/status, processingjobs/status, modelpackagegroups/status, modelpackages/status]
  verbs: [get, patch, update]
- apiGroups: [sagemaker.mlops.dev]
  resources: [trainingjobs/finalizers, endpoints/finalizers, monitoringschedules/finalizers, multimodelsets/finalizers, transformjobs/finalizers, processingjobs/finalizers, modelpackagegroups/finalizers, modelpackages/finalizers]
  verbs: [update]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
# A MultiModelSet's <name>-targets ConfigMap: server-side applied (the first apply creates it, which
# the API server authorizes as create), deleted by uid, never read.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [create, patch, delete]
# The SecurityPolicies, read to re-check objects before a create (docs/security.md).
- apiGroups: [sagemaker.mlops.dev]
  resources: [securitypolicies]
  verbs: [get, list, watch]
{{- end }}

{{/*
The image pull policy: as configured, else Always for a moving reference (no tag, or `latest`)
and IfNotPresent for an immutable one (a version tag or a digest), so a node pulls a release once.
*/}}
{{- define "sagemaker-operator.imagePullPolicy" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.pullPolicy }}
{{- .Values.image.pullPolicy }}
{{- else if .Values.image.digest }}
{{- "IfNotPresent" }}
{{- else if or (not $tag) (eq $tag "latest") }}
{{- "Always" }}
{{- else }}
{{- "IfNotPresent" }}
{{- end }}
{{- end }}

{{/*
"true" when the pull policy is IfNotPresent on an immutable reference (a version tag or a digest).
kube-score wants Always everywhere (so imagePullSecrets are checked on every start); for a pinned
release that is a registry round-trip per pod start for nothing, so the Deployment waives that one
check, and only then.
*/}}
{{- define "sagemaker-operator.pullPolicyWaived" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- $immutable := or .Values.image.digest (and $tag (ne $tag "latest")) }}
{{- and $immutable (eq (include "sagemaker-operator.imagePullPolicy" .) "IfNotPresent") }}
{{- end }}
