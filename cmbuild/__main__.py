from cmbuild.cli import main

main()
