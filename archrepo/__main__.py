from archrepo.cli import run

run()
