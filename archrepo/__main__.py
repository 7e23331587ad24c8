from archrepo.cli import main

main()
