from apiary.cli import main

main()
