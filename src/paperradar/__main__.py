"""``python -m paperradar``: the same CLI as the ``paperradar`` console script."""

from paperradar.cli import main

if __name__ == "__main__":
    main()
