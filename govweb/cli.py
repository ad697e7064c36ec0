"""`govweb`: run the platform's roles, load the demo and check the configuration.

    govweb up                     the whole demo cluster: public :8000, admin :8001, worker, scheduler
    govweb serve --role public    one role with gunicorn (production: behind nginx)
    govweb worker | scheduler     the task worker / the periodic-job loop
    govweb demo                   (re)load the demo cluster
    govweb check                  configuration checks; non-zero exit on any error
    govweb manage ARGS...         any Django management command
"""

import argparse
import os
import signal
import subprocess
import sys
import time

DEFAULT_SETTINGS = "govweb.settings.base"


def _env(role=None, **extra):
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    if role:
        env["GOVWEB_ROLE"] = role
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _manage(*args, role=None, check=True):
    cmd = [sys.executable, "-m", "django", *args]
    return subprocess.run(cmd, env=_env(role), check=check).returncode


def _django_setup(role="public"):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    os.environ["GOVWEB_ROLE"] = role
    import django

    django.setup()


PUBLIC_THREADS = 4


def _gunicorn_cmd(role, host, port, workers, extra=(), threads=PUBLIC_THREADS):
    """gunicorn for one role.

    public: threaded workers (gthread) so that HTTP keep-alive works — the sync worker closes
    every connection, which costs more CPU than a page-cache hit itself — and no gunicorn
    access log: the public role writes its own (analytics), and formatting a second one costs
    ~60 µs per request. admin: the sync worker with an access log on stdout.
    """
    cmd = [sys.executable, "-m", "gunicorn", "govweb.wsgi:application",
           "--bind", f"{host}:{port}", "--workers", str(workers), "--name", f"govweb-{role}"]
    if role == "public":
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    else:
        cmd += ["--access-logfile", "-"]
    return [*cmd, *extra]


def prepare():
    """Migrate, collect static files, and load the demo cluster into an empty database."""
    _manage("migrate", "--no-input", "-v", "0")
    _manage("collectstatic", "--no-input", "-v", "0")
    _manage("load_demo", "--if-empty")


def cmd_up(args):
    prepare()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    children = [
        subprocess.Popen(_gunicorn_cmd("public", args.host, args.public_port, args.workers),
                         env=_env("public", GOVWEB_PUBLIC_PORT=args.public_port)),
        subprocess.Popen(_gunicorn_cmd("admin", args.host, args.admin_port, 1),
                         env=_env("admin", GOVWEB_PUBLIC_PORT=args.public_port)),
        subprocess.Popen([sys.executable, "-m", "django", *_worker_args()], env=_env("worker")),
        subprocess.Popen([sys.executable, "-m", "django", "run_scheduler"], env=_env("worker")),
    ]
    _print_welcome(args)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"govweb: a process exited ({' '.join(child.args[:4])}); stopping all.",
                      file=sys.stderr)
                stop()
        time.sleep(0.5)


def _worker_args():
    if os.environ.get("REDIS_URL"):
        return ["rqworker", "default", "--with-scheduler"]
    return ["db_worker"]


def _print_welcome(args):
    _django_setup("public")
    from govweb.cluster import demo
    from govweb.cluster.models import SiteProfile

    print("\n政府网站集约化平台 govweb 已启动 — Ctrl-C 全部停止\n")
    print(f"  公众前台 public : http://localhost:{args.public_port}/")
    for profile in SiteProfile.objects.select_related("site").order_by("id"):
        print(f"    {profile.organisation:<24} http://{profile.served_host}:{args.public_port}/"
              f"   ({profile.domain})")
    print(f"  管理后台 admin  : http://127.0.0.1:{args.admin_port}/admin/  (仅内网)")
    path = demo.password_file()
    from django.conf import settings

    if settings.DEMO and path.exists():
        print("\n  演示账号 (demo accounts, demo mode only):")
        for line in path.read_text(encoding="utf-8").splitlines():
            print("    " + line.replace("\t", "  "))
    print(flush=True)


def cmd_serve(args):
    env = _env(args.role)
    if args.role == "public":
        env.setdefault("GOVWEB_PUBLIC_PORT", str(args.port))
    os.execve(sys.executable, _gunicorn_cmd(args.role, args.host, args.port, args.workers,
                                            threads=args.threads), env)


def cmd_worker(args):
    os.execve(sys.executable, [sys.executable, "-m", "django", *_worker_args()], _env("worker"))


def cmd_scheduler(args):
    os.execve(sys.executable, [sys.executable, "-m", "django", "run_scheduler"], _env("worker"))


def cmd_demo(args):
    _manage("migrate", "--no-input", "-v", "0")
    _manage("load_demo", "--reset")


def cmd_check(args):
    """Configuration checks for each role; exit 1 if any role has an error."""
    failed = False
    roles = [args.role] if args.role else ["public", "admin"]
    for role in roles:
        code = subprocess.run(
            [sys.executable, "-m", "django", "check", "--fail-level", "ERROR"],
            env=_env(role), capture_output=True, text=True,
        )
        output = (code.stdout + code.stderr).strip()
        status = "ok" if code.returncode == 0 else "FAILED"
        print(f"[{role}] {status}")
        if code.returncode != 0 or "WARNING" in output:
            # ImproperlyConfigured tracebacks end with the message: show that line.
            lines = output.splitlines()
            print("\n".join(lines[-12:]) if code.returncode else output)
        failed = failed or code.returncode != 0
    return 1 if failed else 0


def cmd_import(args):
    """Bottom-layer connection: import items from outside sites (JSON Lines or CSV)."""
    return _manage("import_items", *args.rest, role="worker", check=False)


def cmd_search(args):
    return _manage(f"search_{args.action}", *args.rest, role="worker", check=False)


def cmd_services(args):
    return _manage(f"services_{args.action}", *args.rest, role="worker", check=False)


def cmd_manage(args):
    os.execve(sys.executable, [sys.executable, "-m", "django", *args.rest], _env(args.role))


def build_parser():
    parser = argparse.ArgumentParser(prog="govweb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole demo cluster")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--public-port", type=int, default=8000)
    up.add_argument("--admin-port", type=int, default=8001)
    up.add_argument("--workers", type=int, default=2)
    up.set_defaults(func=cmd_up)

    serve = sub.add_parser("serve", help="serve one role with gunicorn")
    serve.add_argument("--role", choices=["public", "admin"], required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=2,
                       help="worker processes (default 2: one per core of a 2-core node)")
    serve.add_argument("--threads", type=int, default=PUBLIC_THREADS,
                       help="threads per worker of the public role (gthread, keep-alive)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("worker", help="run the task worker").set_defaults(func=cmd_worker)
    sub.add_parser("scheduler", help="run periodic jobs").set_defaults(func=cmd_scheduler)
    sub.add_parser("demo", help="reload the demo cluster").set_defaults(func=cmd_demo)

    check = sub.add_parser("check", help="check the configuration")
    check.add_argument("--role", choices=["public", "admin"])
    check.set_defaults(func=cmd_check)

    imp = sub.add_parser("import", help="import items from outside sites (JSON Lines / CSV)")
    imp.add_argument("rest", nargs=argparse.REMAINDER)
    imp.set_defaults(func=cmd_import)

    search = sub.add_parser("search", help="search index maintenance")
    search.add_argument("action", choices=["reindex"])
    search.add_argument("rest", nargs=argparse.REMAINDER)
    search.set_defaults(func=cmd_search)

    services = sub.add_parser("services", help="exchange the service catalogue")
    services.add_argument("action", choices=["import", "export"])
    services.add_argument("rest", nargs=argparse.REMAINDER)
    services.set_defaults(func=cmd_services)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("--role", choices=["public", "admin", "worker"], default="admin")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "port", 0) is None:
        args.port = 8000 if args.role == "public" else 8001
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
