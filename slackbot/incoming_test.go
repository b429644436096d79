package slackbot

import "testing"

func TestCommandTextDropsSlackMarkup(t *testing.T) {
	cases := []struct{ in, want string }{
		{"grant <@U0456|ana> deployer", "grant @U0456 deployer"},
		{"grant <@W0456> admin", "grant @W0456 admin"},
		{"launch web --image <http://ghcr.io/acme/web:1.2|ghcr.io/acme/web:1.2>", "launch web --image ghcr.io/acme/web:1.2"},
		{"launch web --image <https://ghcr.io/acme/web>", "launch web --image https://ghcr.io/acme/web"},
		{"teardown web --reason moved to <#C0123|ops>", "teardown web --reason moved to #C0123"},
		{"deny 3 a &lt;b&gt; &amp;amp; &lt;!channel&gt;", "deny 3 a <b> &amp; <!channel>"},
		{"deny 3 &lt;@U1&gt;", "deny 3 <@U1>"},
	}
	for _, c := range cases {
		if got := commandText(c.in); got != c.want {
			t.Errorf("commandText(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
