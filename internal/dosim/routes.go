package dosim

import (
	"dobot/internal/dosim/apps"
	"strings"
)

// route is where DigitalOcean serves an operation: the method and the path
// template of its OpenAPI description.
type route struct {
	method, path, operation string
}

// params lists the names of the route's path parameters.
func (rt route) params() []string {
	var out []string
	for _, seg := range strings.Split(rt.path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

// routes places every operation the simulator serves, as DigitalOcean's description
// does; internal/dotest checks the two agree.
var routes = []route{
	{"GET", "/v2/apps", "apps_list"},
	{"POST", "/v2/apps", "apps_create"},
	{"GET", "/v2/apps/{id}", "apps_get"},
	{"PUT", "/v2/apps/{id}", "apps_update"},
	{"DELETE", "/v2/apps/{id}", "apps_delete"},
	{"GET", "/v2/apps/{app_id}/deployments", "apps_list_deployments"},
	{"POST", "/v2/apps/{app_id}/deployments", "apps_create_deployment"},
	{"GET", "/v2/apps/{app_id}/deployments/{deployment_id}", "apps_get_deployment"},
	{"POST", "/v2/apps/{app_id}/deployments/{deployment_id}/cancel", "apps_cancel_deployment"},
	{"POST", "/v2/apps/propose", "apps_validate_appSpec"},
	{"GET", "/v2/apps/tiers/instance_sizes", "apps_list_instanceSizes"},
	{"GET", "/v2/apps/tiers/instance_sizes/{slug}", "apps_get_instanceSize"},
	{"GET", "/v2/apps/regions", "apps_list_regions"},
	{"GET", "/v2/apps/{app_id}/deployments/{deployment_id}/components/{component_name}/logs", "apps_get_logs"},
	{"GET", "/v2/apps/{app_id}/deployments/{deployment_id}/logs", "apps_get_logs_aggregate"},
	{"GET", "/v2/apps/{app_id}/components/{component_name}/logs", "apps_get_logs_active_deployment"},
	{"GET", "/v2/apps/{app_id}/logs", "apps_get_logs_active_deployment_aggregate"},
	{"POST", "/v2/apps/{app_id}/rollback", "apps_create_rollback"},
	{"POST", "/v2/apps/{app_id}/rollback/validate", "apps_validate_rollback"},
	{"POST", "/v2/apps/{app_id}/rollback/commit", "apps_commit_rollback"},
	{"POST", "/v2/apps/{app_id}/rollback/revert", "apps_revert_rollback"},
	{"GET", "/v2/droplets", "droplets_list"},
	{"POST", "/v2/droplets", "droplets_create"},
	{"GET", "/v2/droplets/{droplet_id}", "droplets_get"},
	{"DELETE", "/v2/droplets/{droplet_id}", "droplets_destroy"},
	{"POST", "/v2/droplets/{droplet_id}/actions", "dropletActions_post"},
	{"GET", "/v2/droplets/{droplet_id}/actions/{action_id}", "dropletActions_get"},
	{"GET", "/v2/actions/{action_id}", "actions_get"},
	{"GET", "/v2/sizes", "sizes_list"},
	{"GET", "/v2/images", "images_list"},
	{"GET", "/v2/images/{image_id}", "images_get"},
	{"GET", "/v2/registry", "registry_get"},
	{"GET", "/v2/registry/docker-credentials", "registry_get_dockerCredentials"},
	{"GET", "/v2/registries", "registries_list"},
	{"GET", "/v2/registries/{registry_name}", "registries_get"},
	{"POST", "/v2/registries", "registries_create"},
	{"DELETE", "/v2/registries/{registry_name}", "registries_delete"},
	{"POST", "/v2/registry", "registry_create"},
	{"DELETE", "/v2/registry", "registry_delete"},
	{"GET", "/v2/registry/subscription", "registry_get_subscription"},
	{"GET", "/v2/registry/options", "registry_get_options"},
	{"GET", "/v2/registry/{registry_name}/repositoriesV2", "registry_list_repositoriesV2"},
	{"GET", "/v2/registry/{registry_name}/repositories/{repository_name}/tags", "registry_list_repositoryTags"},
	{"POST", "/v2/registry/{registry_name}/garbage-collection", "registry_run_garbageCollection"},
	{"GET", "/v2/registry/{registry_name}/garbage-collection", "registry_get_garbageCollection"},
	{"GET", "/v2/registry/{registry_name}/garbage-collections", "registry_list_garbageCollections"},
	{"POST", "/v2/apps/{app_id}/restart", "apps_restart"},
	{"GET", "/v2/projects", "projects_list"},
	{"GET", "/v2/projects/{project_id}", "projects_get"},
	{"POST", "/v2/projects/{project_id}/resources", "projects_assign_resources"},
	{"GET", "/v2/projects/{project_id}/resources", "projects_list_resources"},
}

// unlisted are the routes the simulator serves that DigitalOcean's public
// OpenAPI description does not have, by the name the simulator gives them.
// internal/dotest serves them outside its description checks.
var unlisted = map[string]string{
	// godo's Apps.Detect, used by doctl: request and answer are godo's
	// DetectRequest and DetectResponse.
	"apps_detect": "POST " + apps.DetectPath,
}

// Unlisted lists the routes the simulator serves outside DigitalOcean's
// OpenAPI description, as "METHOD /path" keyed by the simulator's name.
func Unlisted() map[string]string {
	out := make(map[string]string, len(unlisted))
	for op, rt := range unlisted {
		out[op] = rt
	}
	return out
}

// routeOf is each operation's route, as "METHOD /path/{param}", the name
// faults and delays are set by.
var routeOf = func() map[string]string {
	m := make(map[string]string, len(routes))
	for _, rt := range routes {
		m[rt.operation] = rt.method + " " + rt.path
	}
	for op, rt := range unlisted {
		m[op] = rt
	}
	return m
}()
