#!/usr/bin/env python
from ppaos.manage import main

if __name__ == "__main__":
    main()
