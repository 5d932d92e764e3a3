import ArgumentParser
import LogwatchIO

Logwatch.main()
