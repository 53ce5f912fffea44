package httpapi

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// OpenAPI returns the OpenAPI 3 document of the routes (the one served at
// /api/v1.0/openapi.json).
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, r := range s.routes {
		item, _ := paths[Base+r.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[Base+r.Path] = item
		}
		item[strings.ToLower(r.Method)] = operation(&r)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Twin Studio Management API",
			"version": "1.0",
			"description": "The Management API of the 2018 Azure Digital Twins preview, as served by Twin Studio. " +
				"Every call but this document and /docs needs Authorization: Bearer TOKEN (twin token create). " +
				"Collections hold only what the caller may read; an object it may not read answers 404, a change it may not make 403. " +
				"Errors are {\"error\": {\"code\", \"message\"}} with 400, 401, 403, 404, 409, 413 (body over the limit) or 429 (rate limit, with Retry-After). " +
				"Key stores are not kept: /keystores is always empty.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{
				"error": map[string]any{"type": "object", "properties": map[string]any{
					"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}}}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func operation(r *route) map[string]any {
	op := map[string]any{
		"summary":     r.Summary,
		"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "").Replace(r.Path),
	}
	var params []any
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, "{") {
			params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	for _, q := range r.Query {
		params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if r.Body != "" {
		content := map[string]any{}
		for _, b := range strings.Split(r.Body, "|") {
			switch b {
			case "json":
				content["application/json"] = map[string]any{"schema": map[string]any{"type": "object"}}
			case "multipart":
				content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "properties": map[string]any{
					"metadata": map[string]any{"type": "string", "description": "JSON metadata"},
					"contents": map[string]any{"type": "string", "format": "binary", "description": "the script"}}}}
			}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
	}
	okResp := map[string]any{"description": http.StatusText(r.Status)}
	switch {
	case r.Stream:
		okResp["content"] = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
	case r.Status == http.StatusCreated:
		okResp["description"] = "Created: the new id as a JSON string (an integer for property keys and types)"
		okResp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}
	case r.Status == http.StatusOK:
		okResp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}
	}
	errResp := map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	op["responses"] = map[string]any{strconv.Itoa(r.Status): okResp, "default": errResp}
	if r.Public {
		op["security"] = []any{}
	}
	return op
}

func (s *Server) openAPI(c *call) (any, error) { return s.OpenAPI(), nil }

var docsTmpl = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Twin Studio Management API</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}code{font-size:.95em}
.m{font-weight:bold;font-family:monospace}.q{color:#555;font-size:.9em}</style></head><body>
<h1>Twin Studio Management API</h1>
<p>Base <code>{{.Base}}</code>. Every call needs <code>Authorization: Bearer TOKEN</code> (make one with <code>twin token create</code>).
Collections hold only what the caller may read; an object it may not read answers 404, a change it may not make 403.
Errors: <code>{"error": {"code": "…", "message": "…"}}</code>. The machine-readable description is <a href="{{.Base}}/openapi.json">openapi.json</a>.</p>
<table><tr><th>Method</th><th>Path</th><th>What</th><th>Success</th></tr>
{{range .Routes}}<tr><td class="m">{{.Method}}</td><td><code>{{.Path}}</code>{{if .Query}}<div class="q">?{{range $i, $q := .Query}}{{if $i}}, {{end}}{{$q}}{{end}}</div>{{end}}</td><td>{{.Summary}}</td><td>{{.Status}}</td></tr>
{{end}}</table></body></html>
`))

func (s *Server) docsPage(c *call) (any, error) {
	type row struct {
		Method, Path, Summary string
		Query                 []string
		Status                int
	}
	var rows []row
	for _, r := range s.routes {
		rows = append(rows, row{r.Method, Base + r.Path, r.Summary, r.Query, r.Status})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Path < rows[j].Path })
	var b strings.Builder
	if err := docsTmpl.Execute(&b, map[string]any{"Base": Base, "Routes": rows}); err != nil {
		return nil, err
	}
	return rawBody{"text/html; charset=utf-8", []byte(b.String())}, nil
}
