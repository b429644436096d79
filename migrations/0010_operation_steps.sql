-- How far an operation's request to DigitalOcean has gone (created, sending,
-- sent), and DigitalOcean's id of work that is not a deployment (a droplet
-- action). Until now deployment_id held both, and the marker "sending".
ALTER TABLE operations ADD COLUMN step TEXT NOT NULL DEFAULT 'created';
ALTER TABLE operations ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
UPDATE operations SET step = 'sending', deployment_id = '' WHERE deployment_id = 'sending';
UPDATE operations SET step = 'sent', external_id = deployment_id, deployment_id = ''
	WHERE action = 'droplet' AND deployment_id <> '';
UPDATE operations SET step = 'sent'
	WHERE step = 'created' AND (deployment_id <> '' OR (action = 'launch' AND resource_id <> ''));
