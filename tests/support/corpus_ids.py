"""The ids of the five ILO postings in corpus/, as the tests refer to them."""

AI, SECTOR, NORMES, VULN, MULTI = (
    "000_6199014678cf9c64", "001_326f5681e1f65d2e", "002_bd34980e9eece061",
    "003_7dab671c5908fb3f", "004_3c479a0523126fec")
# The same postings by subject, as the eligibility tests name them.
CREATIVE, VULNERABLE, DUE_DILIGENCE = SECTOR, VULN, MULTI
