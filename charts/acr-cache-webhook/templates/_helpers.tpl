{{/*
Names. Kubernetes names of Services and labels are at most 63 characters, so
the base name is cut to leave room for the longest suffix the chart appends.
*/}}
{{- define "acw.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "acw.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "acw.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "acw.selectorLabels" -}}
app.kubernetes.io/name: {{ include "acw.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "acw.labels" -}}
helm.sh/chart: {{ include "acw.chart" . }}
{{ include "acw.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{- define "acw.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "acw.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The ClusterRole readers of the ops port are bound to; the server's 403 names
it (acr-cache-webhook-ops-reader with the default full name).
*/}}
{{- define "acw.opsReaderRole" -}}
{{- printf "%s-ops-reader" (include "acw.fullname" .) -}}
{{- end -}}

{{/* The Service the API server calls, and the ops Service. */}}
{{- define "acw.webhookServiceName" -}}
{{- include "acw.fullname" . -}}
{{- end -}}

{{- define "acw.opsServiceName" -}}
{{- printf "%s-ops" (include "acw.fullname" .) -}}
{{- end -}}

{{/*
Fixed contract with the server: ports and file locations. The chart writes
them into config.yaml as well, so they are defined once, here.
*/}}
{{- define "acw.admissionPort" -}}8443{{- end -}}
{{- define "acw.opsPort" -}}9090{{- end -}}
{{- define "acw.configDir" -}}/etc/acr-cache-webhook{{- end -}}
{{- define "acw.tlsDir" -}}/etc/acr-cache-webhook/tls{{- end -}}

{{- define "acw.loginServer" -}}
{{- required "acr.loginServer is required: the login server of your Azure Container Registry, e.g. --set acr.loginServer=myacr.azurecr.io" .Values.acr.loginServer -}}
{{- end -}}

{{- define "acw.image" -}}
{{- $registry := default (include "acw.loginServer" .) .Values.image.registry -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository $tag -}}
{{- end -}}

{{/*
Namespaces the webhook never sees: kube-system, the release namespace (the
webhook's own Pods must not depend on it) and the user's extra ones. Rendered
as a YAML list; used by both the namespaceSelector and config.yaml.
*/}}
{{- define "acw.excludedNamespaces" -}}
{{- $all := concat (list "kube-system" .Release.Namespace) .Values.excludedNamespaces | uniq -}}
{{- toYaml $all -}}
{{- end -}}

{{/* Secret holding tls.crt / tls.key for the server, per certificate mode. */}}
{{- define "acw.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "existingSecret" -}}
{{- required "certificates.existingSecret.name is required when certificates.mode is existingSecret" .Values.certificates.existingSecret.name -}}
{{- else if eq .Values.certificates.mode "certManager" -}}
{{- printf "%s-certmanager-tls" (include "acw.fullname" .) -}}
{{- else -}}
{{- printf "%s-tls" (include "acw.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "acw.certManagerCertificateName" -}}
{{- printf "%s-serving" (include "acw.fullname" .) -}}
{{- end -}}

{{/*
Self-signed CA and serving certificate, as a YAML dict with caCert, cert and
key (PEM) and reused (bool). Use "acw.selfSigned" below, never this one.

On upgrade the existing Secret is read back with `lookup` and its contents are
reused as they are, so the caBundle in the webhook configuration and the
certificate the running Pods serve keep matching. `lookup` returns nothing
under `helm template` or a client-side dry run: a new pair is generated then.
*/}}
{{- define "acw.selfSignedMaterial" -}}
{{- $secretName := include "acw.tlsSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName -}}
{{- $data := dict -}}
{{- if and $existing $existing.data -}}
{{- $data = $existing.data -}}
{{- end -}}
{{- if and (hasKey $data "tls.crt") (hasKey $data "tls.key") (hasKey $data "ca.crt") -}}
{{- dict "caCert" (index $data "ca.crt" | b64dec) "cert" (index $data "tls.crt" | b64dec) "key" (index $data "tls.key" | b64dec) "reused" true | toYaml -}}
{{- else -}}
{{- $svc := include "acw.webhookServiceName" . -}}
{{- $ns := .Release.Namespace -}}
{{- $days := int .Values.certificates.selfSigned.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "acw.fullname" .)) $days -}}
{{- $names := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $names $days $ca -}}
{{- dict "caCert" $ca.Cert "cert" $cert.Cert "key" $cert.Key "reused" false | toYaml -}}
{{- end -}}
{{- end -}}

{{/*
The self-signed material must be identical in the Secret, the webhook
configuration and NOTES, which are different templates, and genCA is random.
The first caller computes it and keeps it in the .Release map, which all
templates of one render share; later callers read it back.
*/}}
{{- define "acw.selfSigned" -}}
{{- if not (hasKey .Release "acwSelfSigned") -}}
{{- $_ := set .Release "acwSelfSigned" (include "acw.selfSignedMaterial" . | fromYaml) -}}
{{- end -}}
{{- toYaml (get .Release "acwSelfSigned") -}}
{{- end -}}

{{/* Base64 CA bundle for the webhook configuration ("" in certManager mode). */}}
{{- define "acw.caBundle" -}}
{{- if eq .Values.certificates.mode "selfSigned" -}}
{{- (include "acw.selfSigned" . | fromYaml).caCert | b64enc -}}
{{- else if eq .Values.certificates.mode "existingSecret" -}}
{{- required "certificates.existingSecret.caBundle is required when certificates.mode is existingSecret" .Values.certificates.existingSecret.caBundle -}}
{{- end -}}
{{- end -}}

{{/*
config.yaml for the server, built as a dict from values and written with
toYaml, so its keys are the server's keys. Keys the chart owns (login server,
ports, TLS file paths, the full excluded namespace list) override anything
else.
*/}}
{{/*
Whether the registry guard is on: guard.enabled true or false as given; "auto" turns it on when it can
authenticate (guard.auth anonymous, or a workload identity: azure.workloadIdentity.clientId, set by the
registry-sync values when present).
*/}}
{{- define "acw.guardEnabled" -}}
{{- $enabled := .Values.guard.enabled -}}
{{- if kindIs "bool" $enabled -}}
{{- $enabled -}}
{{- else -}}
{{- $clientId := dig "workloadIdentity" "clientId" "" (.Values.azure | default dict) -}}
{{- or (eq .Values.guard.auth "anonymous") (ne $clientId "") -}}
{{- end -}}
{{- end -}}

{{/*
ops.auth as given, after refusing a /metrics check that nothing would do
(ops.metricsAuth with ops.auth none).
*/}}
{{- define "acw.opsAuth" -}}
{{- if and .Values.ops.metricsAuth (eq .Values.ops.auth "none") -}}
{{- fail "ops.metricsAuth needs ops.auth auto or kubernetes: with none no token is checked" -}}
{{- end -}}
{{- .Values.ops.auth -}}
{{- end -}}

{{/*
Whether callers of the ops port are checked against the API server (ops.auth
auto or kubernetes; auto is kubernetes in a Pod): then the webhook creates
TokenReviews and SubjectAccessReviews.
*/}}
{{- define "acw.opsAuthReviews" -}}
{{- ne (include "acw.opsAuth" .) "none" -}}
{{- end -}}

{{/* Whether the ServiceAccount token is mounted: only when the webhook talks to the API server. */}}
{{- define "acw.mountToken" -}}
{{- or .Values.pullFailures.enabled (eq (include "acw.opsAuthReviews" .) "true") -}}
{{- end -}}

{{- define "acw.config" -}}
{{- $config := dict
  "acrLoginServer" (include "acw.loginServer" .)
  "mode" .Values.mode
  "dockerHubHosts" .Values.dockerHubHosts
  "excludedNamespaces" (include "acw.excludedNamespaces" . | fromYamlArray)
  "optOutAnnotation" .Values.optOutAnnotation
  "excludeImages" .Values.excludeImages
  "rules" .Values.rules
  "server" (dict
    "port" (include "acw.admissionPort" . | int)
    "tlsCertFile" (printf "%s/tls.crt" (include "acw.tlsDir" .))
    "tlsKeyFile" (printf "%s/tls.key" (include "acw.tlsDir" .))
    "maxBodyBytes" .Values.server.maxBodyBytes)
  "ops" (dict "port" (include "acw.opsPort" . | int))
  "pullFailures" .Values.pullFailures
  "guard" (dict
    "enabled" (eq (include "acw.guardEnabled" .) "true")
    "auth" .Values.guard.auth
    "inlineBudgetMillis" .Values.guard.inlineBudgetMillis
    "unknownPolicy" .Values.guard.unknownPolicy
    "tagTtlSeconds" .Values.guard.tagTtlSeconds
    "digestTtlSeconds" .Values.guard.digestTtlSeconds
    "notFoundTtlSeconds" .Values.guard.notFoundTtlSeconds
    "maxInflightProbes" .Values.guard.maxInflightProbes
    "canaries" .Values.guard.canaries)
  "logging" .Values.logging
  "shutdown" .Values.shutdown
  "registry" .Values.registry
-}}
{{- if .Values.rulesJson -}}
{{- $imported := fromJsonArray .Values.rulesJson -}}
{{- if or (not $imported) (not (kindIs "map" (first $imported))) -}}
{{- fail (printf "rulesJson must be the JSON array that 'az acr cache list -o json' prints (%s)" (toString (first $imported))) -}}
{{- end -}}
{{- $_ := set $config "rules" $imported -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
The ServiceAccount's annotations: the user's, plus Azure workload identity's
client and tenant IDs when set. Rendered as a YAML dict.
*/}}
{{- define "acw.serviceAccountAnnotations" -}}
{{- $a := deepCopy (default dict .Values.serviceAccount.annotations) -}}
{{- with .Values.azure.workloadIdentity.clientId -}}
{{- $_ := set $a "azure.workload.identity/client-id" . -}}
{{- end -}}
{{- with .Values.azure.workloadIdentity.tenantId -}}
{{- $_ := set $a "azure.workload.identity/tenant-id" . -}}
{{- end -}}
{{- toYaml $a -}}
{{- end -}}
