package launchargs

import (
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/docloud/appspec"
	"dobot/reply"
)

// BlockMark starts the word the table's parser appends for a code block
// pasted after a command (`/do launch --spec` then ```yaml …```): a
// private-use character nobody types, so the block is never one of the
// words shlex split.
const BlockMark = "\uE001"

// takeBlock removes the block word the table appended from words.
func takeBlock(words []string) (rest []string, block string) {
	if n := len(words); n > 0 && strings.HasPrefix(words[n-1], BlockMark) {
		return words[:n-1], strings.TrimPrefix(words[n-1], BlockMark)
	}
	return words, ""
}

// parseSpecSource reads a pasted app spec. The app's name is the spec's,
// unless NAME was typed: then NAME wins and the card says the spec's name
// was replaced, so one spec can launch a review copy under another name.
// Variables whose keys look secret are sent as SECRET, as with --env.
func parseSpecSource(block string, named bool, args *deploy.LaunchArgs) (*deploy.LaunchSource, error) {
	if strings.TrimSpace(block) == "" {
		return nil, reply.Errorf("launch --spec needs the app spec in a code block after the command, like:\n/do launch --spec\n```\nname: web\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, repository: nginx}\n```")
	}
	spec, err := appspec.ParseSpec(block)
	if err != nil {
		return nil, &reply.UserError{Msg: reply.Escape(err.Error() + ". Fix the spec and try again; nothing was created.")}
	}
	if args.Size != "" || args.Instances != 0 || len(args.Env) > 0 {
		return nil, reply.Errorf("--size, --instances, --env and --secret do not apply to --spec: set them in the spec")
	}
	if docloud.ComponentCount(spec) == 0 {
		return nil, reply.Errorf("the app spec has no services, workers, jobs, static sites or functions; add one")
	}
	src := &deploy.LaunchSource{}
	if named && args.Name != spec.Name {
		src.SpecName = spec.Name
		spec.Name = args.Name
	}
	args.Name = spec.Name
	if err := validAppName(args.Name); err != nil {
		return nil, err
	}
	if spec.Region == "" {
		spec.Region = args.Region
	}
	args.Region = spec.Region
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if dobot.SecretLooking(v.Key) && v.Type != godo.AppVariableType_Secret && v.Value != "" {
			v.Type = godo.AppVariableType_Secret
		}
	})
	src.Spec = spec
	return src, nil
}

// specNameNote says that NAME replaced the spec's own name.
func specNameNote(s *deploy.LaunchSource, name string) string {
	if s.SpecName == "" {
		return ""
	}
	return "the spec's name " + reply.Escape(s.SpecName) + " was replaced by " + reply.Escape(name) + ", as typed"
}
