from cmbuild.cli import run

run()
