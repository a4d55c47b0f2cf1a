"""The local Solana harness: a LiteSVM ledger of real signed transactions and a loopback
JSON-RPC server that answers from it in mainnet's wire format.

Nothing here is on the live path: the Solana adapter reads any RPC URL and never knows
whether this server or a mainnet provider answers.
"""
