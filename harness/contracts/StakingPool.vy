# pragma version 0.4.3
"""
@title Reference staking pool
@notice The local chain's stand-in for a network's staking contract. It emits the events
        of the widely used StakingRewards pattern: `Staked`, `Withdrawn`, `RewardPaid`.
        Rewards are paid in the reward token (ETH-like revenue share for NodeAI, the
        network token elsewhere) by the operator.
"""

from ethereum.ercs import IERC20

event Staked:
    user: indexed(address)
    amount: uint256

event Withdrawn:
    user: indexed(address)
    amount: uint256

event RewardPaid:
    user: indexed(address)
    reward: uint256

staking_token: public(address)
reward_token: public(address)
operator: public(address)
totalStaked: public(uint256)
stakeOf: public(HashMap[address, uint256])


@deploy
def __init__(_staking_token: address, _reward_token: address):
    self.staking_token = _staking_token
    self.reward_token = _reward_token
    self.operator = msg.sender


@external
def stake(amount: uint256):
    assert extcall IERC20(self.staking_token).transferFrom(msg.sender, self, amount)
    self.stakeOf[msg.sender] += amount
    self.totalStaked += amount
    log Staked(user=msg.sender, amount=amount)


@external
def withdraw(amount: uint256):
    self.stakeOf[msg.sender] -= amount
    self.totalStaked -= amount
    assert extcall IERC20(self.staking_token).transfer(msg.sender, amount)
    log Withdrawn(user=msg.sender, amount=amount)


@external
def payReward(user: address, amount: uint256):
    assert msg.sender == self.operator, "operator only"
    assert extcall IERC20(self.reward_token).transferFrom(msg.sender, user, amount)
    log RewardPaid(user=user, reward=amount)
