#!/bin/sh
# Starts one RabbitMQ node of the cluster with the shared Erlang cookie and Intake's user from the
# secret files, then hands over to the image's own entrypoint (which drops to the rabbitmq user).
set -eu
install -m 0400 -o rabbitmq -g rabbitmq /run/secrets/rabbitmq_erlang_cookie /var/lib/rabbitmq/.erlang.cookie
# The user and virtual host Intake connects with (RabbitMq:Username intake, RabbitMq:VirtualHost
# intake), made on the cluster's first start; no guest user.
umask 077
mkdir -p /etc/rabbitmq/conf.d
{
  echo "default_user = intake"
  echo "default_pass = $(cat /run/secrets/rabbitmq_password)"
  echo "default_vhost = intake"
  echo "default_permissions.configure = .*"
  echo "default_permissions.read = .*"
  echo "default_permissions.write = .*"
  echo "default_user_tags.monitoring = true"
} > /etc/rabbitmq/conf.d/90-intake-credentials.conf
chown rabbitmq:rabbitmq /etc/rabbitmq/conf.d/90-intake-credentials.conf
exec docker-entrypoint.sh rabbitmq-server
