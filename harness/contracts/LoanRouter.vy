# pragma version 0.4.3
"""
@title Reference GPU loan router
@notice The local chain's stand-in for USD.AI's LoanRouter (metastreet-labs/usdai-loan-router-contracts
        src/interfaces/ILoanRouter.sol @ caa89d32864fe27767a841ad10b8e13bd27b8881). It emits that
        contract's events with their exact signatures (LoanOriginated, LenderRepaid, LoanRepaid,
        LoanLiquidated, LenderLiquidationRepaid, LoanCollateralLiquidated) and moves the currency
        token the way a loan does: principal from the lender to the borrower, repayments and
        liquidation proceeds back to the lender, fees to the fee recipient. `borrow()` takes that
        contract's LoanTerms and LenderDepositInfo[] (same selector and ABI layout: Vyper structs
        encode as tuples, DepositType as its uint8), so the collateral (collateralToken,
        collateralTokenId, collateralWrapperContext) is in the calldata and, as on mainnet, named
        by no event. One tranche per loan, lent from an approval; repay, liquidate and
        onCollateralLiquidated take the loan terms hash instead of the terms.
"""

from ethereum.ercs import IERC20


interface Lender:
    def onLoanOriginated(principal: uint256): nonpayable
    def onLoanRepaid(principal: uint256): nonpayable
    def onLoanImpaired(principal: uint256): nonpayable
    def onLoanLiquidated(recovered: uint256, written_off: uint256): nonpayable


event LoanOriginated:
    loanTermsHash: indexed(bytes32)
    borrower: indexed(address)
    currencyToken: indexed(address)
    principal: uint256
    originationFee: uint256

event LenderRepaid:
    loanTermsHash: indexed(bytes32)
    lender: indexed(address)
    trancheIndex: indexed(uint8)
    principal: uint256
    interest: uint256
    prepay: uint256

event LoanRepaid:
    loanTermsHash: indexed(bytes32)
    borrower: indexed(address)
    principal: uint256
    interest: uint256
    prepayment: uint256
    exitFee: uint256
    isRepaid: bool

event LoanLiquidated:
    loanTermsHash: indexed(bytes32)

event LenderLiquidationRepaid:
    loanTermsHash: indexed(bytes32)
    lender: indexed(address)
    trancheIndex: indexed(uint8)
    principal: uint256
    interest: uint256

event LoanCollateralLiquidated:
    loanTermsHash: indexed(bytes32)
    proceeds: uint256
    liquidationFee: uint256
    surplus: uint256


struct FeeSpec:
    originationFee: uint256
    exitFee: uint256

struct TrancheSpec:
    lender: address
    amount: uint256
    rate: uint256

struct LoanTerms:
    expiration: uint64
    borrower: address
    currencyToken: address
    collateralToken: address
    collateralTokenId: uint256
    duration: uint64
    repaymentInterval: uint64
    interestRateModel: address
    gracePeriodRate: uint256
    gracePeriodDuration: uint256
    feeSpec: FeeSpec
    trancheSpecs: DynArray[TrancheSpec, 8]
    collateralWrapperContext: Bytes[1024]
    options: Bytes[256]

struct LenderDepositInfo:
    depositType: uint8  # ILoanRouter.DepositType (a Solidity enum is a uint8 in the ABI)
    data: Bytes[256]

struct Loan:
    lender: address
    borrower: address
    currency: address
    collateral_token: address
    collateral_token_id: uint256
    balance: uint256
    status: uint8  # 1 active, 2 repaid, 3 liquidated, 4 collateral liquidated


feeRecipient: public(address)
loans: public(HashMap[bytes32, Loan])
loanCount: public(uint256)


@deploy
def __init__():
    self.feeRecipient = msg.sender


@external
def borrow(loanTerms: LoanTerms, lenderDepositInfos: DynArray[LenderDepositInfo, 8]):
    """The borrower borrows its one tranche's amount from that tranche's lender (which approved this router)."""
    assert msg.sender == loanTerms.borrower, "borrower only"
    assert len(loanTerms.trancheSpecs) == 1, "one tranche"
    assert len(lenderDepositInfos) == 1 and lenderDepositInfos[0].depositType == 2, "one ERC20 approval"
    lender: address = loanTerms.trancheSpecs[0].lender
    principal: uint256 = loanTerms.trancheSpecs[0].amount
    origination_fee: uint256 = loanTerms.feeSpec.originationFee
    currency: address = loanTerms.currencyToken
    self.loanCount += 1
    loan_hash: bytes32 = keccak256(abi_encode(loanTerms, self.loanCount))
    self.loans[loan_hash] = Loan(lender=lender, borrower=msg.sender, currency=currency,
                                 collateral_token=loanTerms.collateralToken,
                                 collateral_token_id=loanTerms.collateralTokenId, balance=principal, status=1)
    assert extcall IERC20(currency).transferFrom(lender, msg.sender, principal - origination_fee)
    assert extcall IERC20(currency).transferFrom(lender, self.feeRecipient, origination_fee)
    extcall Lender(lender).onLoanOriginated(principal)
    log LoanOriginated(loanTermsHash=loan_hash, borrower=msg.sender, currencyToken=currency, principal=principal,
                       originationFee=origination_fee)


@external
def repay(loan_hash: bytes32, principal: uint256, interest: uint256, exit_fee: uint256):
    """The borrower pays `principal` and `interest` to the lender and `exit_fee` to the fee recipient."""
    loan: Loan = self.loans[loan_hash]
    assert loan.status == 1, "loan not active"
    assert msg.sender == loan.borrower, "borrower only"
    assert principal <= loan.balance, "more than the balance"
    assert extcall IERC20(loan.currency).transferFrom(msg.sender, loan.lender, principal + interest)
    if exit_fee > 0:
        assert extcall IERC20(loan.currency).transferFrom(msg.sender, self.feeRecipient, exit_fee)
    loan.balance -= principal
    repaid: bool = loan.balance == 0
    if repaid:
        loan.status = 2
    self.loans[loan_hash] = loan
    extcall Lender(loan.lender).onLoanRepaid(principal)
    log LenderRepaid(loanTermsHash=loan_hash, lender=loan.lender, trancheIndex=0, principal=principal,
                     interest=interest, prepay=0)
    log LoanRepaid(loanTermsHash=loan_hash, borrower=msg.sender, principal=principal, interest=interest,
                   prepayment=0, exitFee=exit_fee, isRepaid=repaid)


@external
def liquidate(loan_hash: bytes32):
    """A loan past its grace period goes to liquidation (fee recipient only here)."""
    loan: Loan = self.loans[loan_hash]
    assert loan.status == 1, "loan not active"
    assert msg.sender == self.feeRecipient, "liquidator only"
    loan.status = 3
    self.loans[loan_hash] = loan
    extcall Lender(loan.lender).onLoanImpaired(loan.balance)
    log LoanLiquidated(loanTermsHash=loan_hash)


@external
def onCollateralLiquidated(loan_hash: bytes32, proceeds: uint256, liquidation_fee: uint256):
    """The collateral sold for `proceeds`: the fee first, then the lender up to the balance, the rest is surplus."""
    loan: Loan = self.loans[loan_hash]
    assert loan.status == 3, "loan not in liquidation"
    assert msg.sender == self.feeRecipient, "liquidator only"
    to_lender: uint256 = min(proceeds - liquidation_fee, loan.balance)
    surplus: uint256 = proceeds - liquidation_fee - to_lender
    assert extcall IERC20(loan.currency).transferFrom(msg.sender, loan.lender, to_lender)
    written_off: uint256 = loan.balance - to_lender
    extcall Lender(loan.lender).onLoanLiquidated(to_lender, written_off)
    loan.balance = 0
    loan.status = 4
    self.loans[loan_hash] = loan
    log LenderLiquidationRepaid(loanTermsHash=loan_hash, lender=loan.lender, trancheIndex=0, principal=to_lender,
                                interest=0)
    # as on mainnet: `proceeds` is what the lenders got; the fee and the surplus go to the fee recipient
    # (the liquidator here, who keeps them)
    log LoanCollateralLiquidated(loanTermsHash=loan_hash, proceeds=to_lender, liquidationFee=liquidation_fee,
                                 surplus=surplus)
