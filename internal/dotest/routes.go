package dotest

// handlerFunc serves one operation. It runs with s.mu held.
type handlerFunc func(s *Server, c *call) reply

// handlers maps the description's operationIds to their handlers: it is the
// table of everything the server implements. An operation the description
// has but this map lacks is an unknown route.
var handlers = map[string]handlerFunc{
	// App Platform: apps.go, rollback.go, logs.go.
	"apps_list":                                 listApps,
	"apps_create":                               createApp,
	"apps_get":                                  getApp,
	"apps_update":                               updateApp,
	"apps_delete":                               deleteApp,
	"apps_list_deployments":                     listDeployments,
	"apps_create_deployment":                    createDeployment,
	"apps_get_deployment":                       getDeployment,
	"apps_cancel_deployment":                    cancelDeployment,
	"apps_validate_appSpec":                     proposeApp,
	"apps_list_instanceSizes":                   listInstanceSizes,
	"apps_get_instanceSize":                     getInstanceSize,
	"apps_list_regions":                         listRegions,
	"apps_get_logs":                             getLogs,
	"apps_get_logs_aggregate":                   getLogs,
	"apps_get_logs_active_deployment":           getLogs,
	"apps_get_logs_active_deployment_aggregate": getLogs,
	"apps_create_rollback":                      createRollback,
	"apps_validate_rollback":                    validateRollback,
	"apps_commit_rollback":                      commitRollback,
	"apps_revert_rollback":                      revertRollback,

	// Droplets and actions: droplets.go, actions.go; sizes: sizes.go.
	"droplets_list":       listDroplets,
	"droplets_create":     createDroplet,
	"droplets_get":        getDroplet,
	"droplets_destroy":    deleteDroplet,
	"dropletActions_post": postDropletAction,
	"dropletActions_get":  getDropletAction,
	"actions_get":         getAction,
	"sizes_list":          listSizes,
	"images_list":         listImages,
	"images_get":          getImage,

	// Container registry: registry.go, gc.go.
	"registry_get":                     getRegistry,
	"registry_get_dockerCredentials":   dockerCredentials,
	"registries_list":                  listRegistries,
	"registries_get":                   getRegistryByName,
	"registries_create":                createNamedRegistry,
	"registries_delete":                deleteRegistryByName,
	"registry_create":                  createRegistry,
	"registry_delete":                  deleteRegistry,
	"registry_get_subscription":        getSubscription,
	"registry_get_options":             getRegistryOptions,
	"registry_list_repositoriesV2":     listRepositories,
	"registry_list_repositoryTags":     listTags,
	"registry_run_garbageCollection":   startGC,
	"registry_get_garbageCollection":   getGC,
	"registry_list_garbageCollections": listGCs,
}
