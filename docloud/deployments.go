package docloud

import "github.com/digitalocean/godo"

// FirstDeployment is the deployment a freshly created or updated app is
// working on.
func FirstDeployment(app *godo.App) *godo.Deployment {
	// pending_deployment comes first: for a create or an update the API
	// guarantees it is the deployment that change started.
	for _, d := range []*godo.Deployment{app.PendingDeployment, app.InProgressDeployment, app.ActiveDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}

// CurrentDeployment is the deployment whose logs matter now: the one in
// progress, else the active one.
func CurrentDeployment(app *godo.App) *godo.Deployment {
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.ActiveDeployment, app.PendingDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}
