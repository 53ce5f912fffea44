package httpapi

import (
	"net/http"

	"github.com/twinstudio/twinstudio/engine"
)

const (
	get, post, patch, put, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete
	ok, created, noContent     = http.StatusOK, http.StatusCreated, http.StatusNoContent
)

// graphRoutes are the routes of a navigable kind (spaces, devices,
// sensors, users) at /name.
func graphRoutes(name, one string, k engine.Kind, extra ...string) []route {
	p := "/" + name
	inc := []string{"includes"}
	return []route{
		{Method: get, Path: p, Summary: "List the " + name + " the caller may read, by the navigation parameters", Query: withParams(navParams, extra...), Status: ok, h: listGraph(k)},
		{Method: get, Path: p + "/{id}", Summary: "Get a " + one, Query: inc, Status: ok, h: getObject(k, graphIncludes[k])},
		{Method: post, Path: p, Summary: "Create a " + one, Body: "json", Status: created, h: postObject(k)},
		{Method: patch, Path: p + "/{id}", Summary: "Update a " + one + " (the fields given)", Body: "json", Status: noContent, h: patchObject(k)},
		{Method: del, Path: p + "/{id}", Summary: "Delete a " + one, Status: noContent, h: deleteObject(k)},
		{Method: get, Path: p + "/{id}/properties", Summary: "List a " + one + "'s extended properties", Status: ok, h: getProperties(k)},
		{Method: get, Path: p + "/{id}/properties/{name}", Summary: "Get one extended property of a " + one, Status: ok, h: getProperties(k)},
		{Method: post, Path: p + "/{id}/properties", Summary: "Add or set one extended property {name, value} (within the caller's value limits)", Body: "json", Status: created, h: changeProperties(k)},
		{Method: put, Path: p + "/{id}/properties", Summary: "Set a list of extended properties (within the caller's value limits)", Body: "json", Status: noContent, h: changeProperties(k)},
		{Method: del, Path: p + "/{id}/properties", Summary: "Delete every extended property of a " + one, Status: noContent, h: changeProperties(k)},
		{Method: del, Path: p + "/{id}/properties/{name}", Summary: "Delete one extended property of a " + one, Status: noContent, h: changeProperties(k)},
	}
}

// simpleRoutes are the routes of a kind that is not navigable.
func simpleRoutes(name, one string, k engine.Kind, query []string, known []string, methods ...string) []route {
	p := "/" + name
	var out []route
	for _, m := range methods {
		switch m {
		case "list":
			out = append(out, route{Method: get, Path: p, Summary: "List the " + name + " the caller may read", Query: append(query, "includes", "$top", "$skip"), Status: ok, h: listSimple(k, known)})
		case "get":
			h := getObject(k, known)
			if k == engine.KindPropertyKey || k == engine.KindType || k == engine.KindOntology {
				h = getIntObject(k, known)
			}
			out = append(out, route{Method: get, Path: p + "/{id}", Summary: "Get a " + one, Query: []string{"includes"}, Status: ok, h: h})
		case "post":
			out = append(out, route{Method: post, Path: p, Summary: "Create a " + one, Body: "json", Status: created, h: postObject(k)})
		case "patch":
			out = append(out, route{Method: patch, Path: p + "/{id}", Summary: "Update a " + one + " (the fields given)", Body: "json", Status: noContent, h: patchObject(k)})
		case "delete":
			out = append(out, route{Method: del, Path: p + "/{id}", Summary: "Delete a " + one, Status: noContent, h: deleteObject(k)})
		}
	}
	return out
}

// table is the route table: the mux serves exactly these routes and the
// OpenAPI document describes exactly these.
func (s *Server) table() []route {
	var r []route
	r = append(r, graphRoutes("spaces", "space", engine.KindSpace, "useParentSpace")...)
	r = append(r, graphRoutes("devices", "device", engine.KindDevice, "hardwareIds")...)
	r = append(r, graphRoutes("sensors", "sensor", engine.KindSensor, "hardwareIds", "dataTypes")...)
	r = append(r, graphRoutes("users", "user", engine.KindUser, "upn")...)
	r = append(r,
		route{Method: put, Path: "/devices", Summary: "Create or replace a device, keyed on name and spaceId", Body: "json", Status: noContent, h: upsert(engine.KindDevice)},
		route{Method: put, Path: "/users", Summary: "Create or replace a user, keyed on upn and spaceId", Body: "json", Status: noContent, h: upsert(engine.KindUser)},
		route{Method: get, Path: "/spaces/{id}/values", Summary: "The computed values of a space", Status: ok, h: getSpaceValues},
		route{Method: put, Path: "/spaces/{id}/values/{name}", Summary: "Set a computed value of a space {value} (within the caller's value limits)", Body: "json", Status: noContent, h: setSpaceValue},
		route{Method: get, Path: "/spaces/{id}/values/{name}/history", Summary: "The history of a space value in a time range", Query: []string{"from", "to", "$top"}, Status: ok, h: history(engine.KindSpace)},
		route{Method: get, Path: "/sensors/{id}/value", Summary: "The current value of a sensor", Status: ok, h: getSensorValue},
		route{Method: get, Path: "/sensors/{id}/values", Summary: "The history of a sensor's value in a time range (RFC 3339 from and to; $top keeps the newest)", Query: []string{"from", "to", "$top"}, Status: ok, h: history(engine.KindSensor)},
	)
	spaceQ := []string{"spaceId", "traverse", "ids", "names"}
	r = append(r, simpleRoutes("matchers", "matcher", engine.KindMatcher, spaceQ, matcherIncludes, "list", "get", "post", "patch", "delete")...)
	r = append(r, simpleRoutes("userdefinedfunctions", "user-defined function", engine.KindUDF, spaceQ, udfIncludes, "list", "get", "delete")...)
	r = append(r,
		route{Method: post, Path: "/userdefinedfunctions", Summary: "Create a user-defined function: multipart (metadata JSON part and contents script part) or JSON with script", Body: "json|multipart", Status: created, h: postUDF},
		route{Method: patch, Path: "/userdefinedfunctions/{id}", Summary: "Update a user-defined function: multipart (metadata and/or contents) or JSON", Body: "json|multipart", Status: noContent, h: patchUDF},
		route{Method: put, Path: "/userdefinedfunctions/{id}", Summary: "Update a user-defined function (as PATCH)", Body: "json|multipart", Status: noContent, h: patchUDF},
		route{Method: get, Path: "/userdefinedfunctions/{id}/contents", Summary: "The script of a user-defined function (text/javascript)", Status: ok, h: getUDFContents},
	)
	r = append(r, simpleRoutes("roleassignments", "role assignment", engine.KindRoleAssignment, []string{"path", "objectId", "traverse"}, alwaysIncluded, "list", "get", "post", "delete")...)
	r = append(r, simpleRoutes("endpoints", "endpoint", engine.KindEndpoint, []string{"types", "eventTypes"}, alwaysIncluded, "list", "get", "post", "patch", "delete")...)
	r = append(r, simpleRoutes("resources", "space resource", engine.KindResource, []string{"spaceId", "traverse", "type"}, alwaysIncluded, "list", "get", "post", "patch", "delete")...)
	r = append(r, simpleRoutes("propertykeys", "property key", engine.KindPropertyKey, []string{"spaceId", "traverse", "scope", "category", "names"}, alwaysIncluded, "list", "get", "post", "patch", "delete")...)
	r = append(r, simpleRoutes("types", "extended type", engine.KindType, []string{"spaceId", "traverse", "ids", "names", "categories", "system", "disabled"}, alwaysIncluded, "list", "get", "post", "patch", "delete")...)
	r = append(r, simpleRoutes("ontologies", "ontology", engine.KindOntology, []string{"names", "loaded"}, []string{"types", "none"}, "list", "get")...)
	r = append(r,
		route{Method: patch, Path: "/ontologies/{id}", Summary: "Load or unload an ontology {loaded}", Body: "json", Status: noContent, h: patchOntology},
		route{Method: get, Path: "/keystores", Summary: "Key stores: always empty (this server keeps no key stores; each device carries its own key)", Query: []string{"spaceId", "$top", "$skip"}, Status: ok, h: listKeyStores},
		route{Method: get, Path: "/keystores/{id}", Summary: "A key store: always 404 (no key stores are kept)", Status: ok, h: getKeyStore},
		route{Method: get, Path: "/system/roles", Summary: "The role definitions: the nine system roles and the custom roles", Status: ok, h: getRoles},
		route{Method: get, Path: "/system/stats", Summary: "Object counts, commits, event subscribers and ingress statistics (needs Read on System at /)", Status: ok, h: getStats},
		route{Method: get, Path: "/events", Summary: "Server-Sent Events of the objects the caller may read: event TYPE, data the event envelope; a Dropped event counts what a slow client missed", Query: []string{"types", "spaceId"}, Status: ok, Stream: true, h: streamEvents},
		route{Method: get, Path: "/openapi.json", Summary: "This OpenAPI 3 document (no token needed)", Status: ok, Public: true, h: s.openAPI},
		route{Method: get, Path: "/docs", Summary: "An HTML page listing the routes (no token needed)", Status: ok, Public: true, h: s.docsPage},
	)
	return r
}
