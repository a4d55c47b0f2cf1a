"""Local chains for the embedded default, the demo and the tests.

Nothing here is on the live path: the pipeline reads a chain through its RPC URL and
never knows whether anvil or a mainnet provider answers.
"""
