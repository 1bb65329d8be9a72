#!/bin/sh
# Installs a capd build (from `pnpm build`) as systemd services, without a .deb:
#   sudo ./install.sh                 the controller and the agent, in /opt/capd
#   sudo ./install.sh --agent-only    an edge box: only capd-agent.mjs (needs Node >= 20, nothing else)
#   --nftables     the agent changes nftables on this machine (router kind nftables, or snmp with an
#                  nftables enforcer): give it CAP_NET_ADMIN (a drop-in that later runs keep)
#   --no-nftables  remove that drop-in (the agent now only talks to a router over the network)
#   --start        enable and start the installed service(s) (default: install only, start nothing)
# DESTDIR=/some/dir installs into that directory as if it were / (no users made, nothing started):
# for packaging, and for tests. Configuration already in /etc/capd is never overwritten.
set -eu

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

# nftables: 1 add the drop-in, 0 remove it, keep: leave it as it is (an upgrade keeps what was chosen).
agent_only=0 nftables=keep start=0
for arg in "$@"; do
  case "$arg" in
    --agent-only) agent_only=1 ;;
    --nftables | --no-nftables)
      want=$([ "$arg" = --nftables ] && echo 1 || echo 0)
      [ "$nftables" = keep ] || [ "$nftables" = "$want" ] || { echo "install.sh: --nftables and --no-nftables contradict each other" >&2; usage; }
      nftables=$want
      ;;
    --start) start=1 ;;
    -h | --help) usage ;;
    *) echo "install.sh: unknown option $arg" >&2 && usage ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
# Inside a build (dist/packaging/install.sh) the build is one level up; in a checkout, in ../dist.
if [ -f "$here/../capd-agent.mjs" ]; then build=$(cd "$here/.." && pwd)
elif [ -f "$here/../dist/capd-agent.mjs" ]; then build=$(cd "$here/../dist" && pwd)
else echo "install.sh: no build found beside $here: run pnpm build first" >&2 && exit 1
fi
[ "$agent_only" = 1 ] || [ -f "$build/capd.mjs" ] || { echo "install.sh: $build has no capd.mjs" >&2; exit 1; }

root=${DESTDIR:-}
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then echo "install.sh: run as root (or set DESTDIR)" >&2 && exit 1; fi

node=${CAPD_NODE:-$(command -v node || true)}
[ -n "$node" ] || { echo "install.sh: Node.js >= 20 is needed and there is no node on PATH" >&2; exit 1; }
version=$("$node" -p 'process.versions.node' 2>/dev/null || true)
case "$version" in
  [2-9][0-9].* | [1-9][0-9][0-9].*) ;;
  *) echo "install.sh: Node.js >= 20 is needed; $node is ${version:-not working}" >&2 && exit 1 ;;
esac
case "$version" in 20.*) [ "$(echo "$version" | cut -d. -f2)" -ge 19 ] || echo "install.sh: Node $version works; 20.19 or later is recommended" >&2 ;; esac

say() { echo "install.sh: $*"; }

# A system user with no login and no home, unless it exists (or we install into DESTDIR).
make_user() {
  if [ -n "$root" ]; then say "DESTDIR: not creating user $1" && return; fi
  id "$1" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$1"
}
# chown only where the users exist (not in a DESTDIR).
own() { [ -n "$root" ] || chown "$@"; }

# Programs: /opt/capd, replaced as a whole so an upgrade leaves no file of the old release behind.
opt="$root/opt/capd"
mkdir -p "$root/opt"
rm -rf "$opt.new"
mkdir -m 0755 "$opt.new"
if [ "$agent_only" = 1 ]; then
  cp "$build/capd-agent.mjs" "$opt.new/"
else
  cp -R "$build/capd.mjs" "$build/capd-agent.mjs" "$build/lib" "$build/node_modules" "$build/package.json" "$opt.new/"
fi
chmod -R u=rwX,go=rX "$opt.new"
chmod 0755 "$opt.new"/*.mjs
if [ -d "$opt" ]; then rm -rf "$opt.old" && mv "$opt" "$opt.old"; fi
mv "$opt.new" "$opt"
rm -rf "$opt.old"
if [ "$agent_only" = 0 ]; then
  # A wrapper, not a link to capd.mjs: `capd` runs with the node the units use, also from cron
  # (whose PATH has no /usr/local/bin/node). Written beside it and renamed over it, so neither an
  # older release's symlink nor a running `capd` is written through.
  bin="$root/usr/local/bin/capd"
  mkdir -p "$root/usr/local/bin"
  printf '#!/bin/sh\n# capd, installed by install.sh: the node the capd units run.\nexec '\''%s'\'' /opt/capd/capd.mjs "$@"\n' "$node" >"$bin.new"
  chmod 0755 "$bin.new"
  mv -f "$bin.new" "$bin"
fi
say "installed $(ls "$opt" | tr '\n' ' ')in $opt"

# Users, configuration and state.
make_user capd-agent
[ "$agent_only" = 1 ] || make_user capd
mkdir -p "$root/etc/capd"
chmod 0755 "$root/etc/capd"
if [ "$agent_only" = 0 ] && [ ! -e "$root/etc/capd/controller.env" ]; then
  cp "$here/controller.env" "$root/etc/capd/controller.env"
  chmod 0640 "$root/etc/capd/controller.env"
  own root:capd "$root/etc/capd/controller.env"
  say "wrote /etc/capd/controller.env: set the time zone, currency and public URL there"
fi
if [ ! -e "$root/etc/capd/agent.json" ]; then
  cp "$here/agent.json.example" "$root/etc/capd/agent.json.example"
  chmod 0644 "$root/etc/capd/agent.json.example"
  say "no /etc/capd/agent.json yet: write it from the controller's enrolment snippet (see agent.json.example), mode 0640, group capd-agent"
fi
mkdir -p "$root/var/lib/capd-agent"
chmod 0700 "$root/var/lib/capd-agent"
own capd-agent:capd-agent "$root/var/lib/capd-agent"
if [ "$agent_only" = 0 ]; then
  mkdir -p "$root/var/lib/capd"
  chmod 0750 "$root/var/lib/capd"
  own capd:capd "$root/var/lib/capd"
  # Where `capd backup` writes, as the capd user (README, "Backing up": the cron job).
  mkdir -p "$root/var/backups/capd"
  chmod 0750 "$root/var/backups/capd"
  own capd:capd "$root/var/backups/capd"
fi

# Units, pointing at the node found above.
units="$root/etc/systemd/system"
mkdir -p "$units"
install_unit() {
  sed "s#^ExecStart=/usr/bin/node #ExecStart=$node #" "$here/$1" >"$units/$1"
  chmod 0644 "$units/$1"
}
install_unit capd-agent.service
[ "$agent_only" = 1 ] || install_unit capd-controller.service
drop_in="$units/capd-agent.service.d/nftables.conf"
if [ "$nftables" = 1 ]; then
  mkdir -p "$units/capd-agent.service.d"
  cp "$here/capd-agent-nftables.conf" "$drop_in"
  chmod 0644 "$drop_in"
elif [ "$nftables" = 0 ]; then
  rm -f "$drop_in"
  rmdir "$units/capd-agent.service.d" 2>/dev/null || true
elif [ -e "$drop_in" ]; then
  # An upgrade: the same drop-in, from this release, so the agent keeps CAP_NET_ADMIN.
  cp "$here/capd-agent-nftables.conf" "$drop_in"
  say "kept CAP_NET_ADMIN for the agent (capd-agent.service.d/nftables.conf; --no-nftables removes it)"
fi
# An agent.json that changes nftables here, with no drop-in, would fail at its first nft call.
if [ ! -e "$drop_in" ] && [ -f "$root/etc/capd/agent.json" ] && "$node" -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).router ?? {}
  process.exit(r.kind === "nftables" || r.enforcer?.kind === "nftables" ? 0 : 1)' "$root/etc/capd/agent.json" 2>/dev/null; then
  echo "install.sh: WARNING: /etc/capd/agent.json has the agent change nftables on this machine, but the unit gives it no CAP_NET_ADMIN: run install.sh again with --nftables" >&2
fi

if [ -n "$root" ]; then say "DESTDIR: not reloading or starting systemd" && exit 0; fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
if [ "$start" = 1 ]; then
  if [ "$agent_only" = 1 ]; then systemctl enable --now capd-agent.service
  else systemctl enable --now capd-controller.service
  fi
else
  say "nothing started: systemctl enable --now capd-controller (or capd-agent) when the configuration is ready"
fi
