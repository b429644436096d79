package dosim

import "dobot/internal/dosim/wire"

// projectHandlers are the projects routes (projects.go).
func (s *Server) projectHandlers() map[string]wire.Handler { return map[string]wire.Handler{} }
